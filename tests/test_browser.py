"""The dashboard in headless Chromium, as a user opens it: every page, a shared link, a click through."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser
from streamlit_browser import open_page, rerun

PAGES = {"": "概要", "trends": "基本方針別トレンド", "indicator": "指標詳細", "plan_structure": "計画体系"}
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


@pytest.mark.parametrize(("path", "title"), PAGES.items(), ids=[path or "overview" for path in PAGES])
def test_page_shows_without_errors_with_navigation_and_sample_notice(
    browser: Browser, app_url: str, screenshot_directory: Path, path: str, title: str
) -> None:
    page = open_page(browser, f"{app_url}/{path}")
    page.screenshot(path=screenshot_directory / f"page_{path or 'overview'}.png", full_page=True)
    assert page.locator("h1").first.inner_text() == title
    assert page.locator(ERRORS).count() == 0
    assert page.get_by_text("サンプル（架空）データ", exact=False).count() >= 1
    navigation = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert [label in navigation for label in PAGES.values()] == [True] * len(PAGES)


def test_shared_indicator_link_opens_that_indicator_on_a_first_visit(
    browser: Browser, app_url: str, screenshot_directory: Path
) -> None:
    page = open_page(browser, f"{app_url}/indicator?indicator={quote('3-③')}")
    page.screenshot(path=screenshot_directory / "shared_link_3-3.png", full_page=True)
    assert page.locator("h3").first.inner_text().startswith("3-③")
    assert page.locator("[data-testid='stSidebar']").get_by_text("評価する年度").count() == 1
    assert page.locator(".js-plotly-plot").count() >= 1


def test_flagged_indicator_links_to_its_detail_in_one_click(browser: Browser, app_url: str) -> None:
    page = open_page(browser, app_url)
    rerun(page, page.get_by_text("指標の詳細を見る").first.click)
    assert page.url.startswith(f"{app_url}/indicator?indicator=")
    assert page.locator("h3").first.inner_text().startswith("1-⑤")  # worst first: no value in the latest survey
    assert page.locator(ERRORS).count() == 0


def test_chart_downloads_as_png_through_plotlys_own_button(
    browser: Browser, app_url: str, screenshot_directory: Path
) -> None:
    page = open_page(browser, f"{app_url}/indicator?indicator={quote('1-②')}")
    chart = page.get_by_role("figure", name=re.compile("^1-②の推移グラフ"))
    chart.hover()
    with page.expect_download() as download:
        # plotly's own Japanese locale: its buttons say what they do in Japanese.
        chart.locator("[data-title='PNGファイルでダウンロード']").click()
    saved = screenshot_directory / "download_indicator_1-2.png"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "1-②_令和6(2024)年度.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("path", "fetched"), [("", 1), ("trends", 1), ("method", 0)], ids=["overview", "trends", "method"]
)
def test_chart_code_is_downloaded_once_on_pages_with_charts_and_not_on_others(
    browser: Browser, app_url: str, path: str, fetched: int
) -> None:
    # Pages with charts load it as the page begins (ui/assets/dashboard.js): from the same file as
    # Streamlit's own chart, so its 4.7 MB come once, and not at all on a page without charts.
    page = open_page(browser, f"{app_url}/{path}")
    chart_code = "performance.getEntriesByType('resource').filter((r) => r.name.includes('/PlotlyChart.')).length"
    assert page.evaluate(chart_code) == fetched
