"""Reports in headless Chromium: download from 報告書出力, open the HTML offline and print it, 発表モード."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from streamlit_browser import open_page, rerun

ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


def _download(page: Page, format_label: str, saved: Path) -> str:
    """Choose the format (one rerun rebuilds the button, unless it is chosen already) and download."""
    choice = page.get_by_role("radio", name=format_label)
    if not choice.is_checked():
        rerun(page, page.get_by_text(format_label).click)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="報告書をダウンロード").click()
    download.value.save_as(saved)
    return download.value.suggested_filename


def test_reports_page_downloads_a_pptx_and_an_html_that_opens_offline_and_prints_on_a4(
    browser: Browser, app_url: str, screenshot_directory: Path, tmp_path: Path
) -> None:
    page = open_page(browser, f"{app_url}/reports", height=1600)
    page.screenshot(path=screenshot_directory / "page_reports.png", full_page=True)
    assert page.locator(ERRORS).count() == 0
    name = _download(page, "PowerPoint（発表用スライド）", tmp_path / "report.pptx")
    assert name == "施策評価指標_令和6(2024)年度_計画全体.pptx"
    assert (tmp_path / "report.pptx").read_bytes()[:2] == b"PK"
    assert _download(page, "HTML（オフラインで", tmp_path / "report.html").endswith(".html")

    offline = browser.new_context(viewport={"width": 1100, "height": 1400}, offline=True).new_page()
    requested: list[str] = []
    offline.on("request", lambda request: requested.append(request.url))
    offline.goto((tmp_path / "report.html").as_uri())
    offline.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert offline.locator(".js-plotly-plot").count() == 11
    assert offline.locator("section.sheet h2").count() == 5  # a 施策評価シート per 基本施策
    assert [url for url in requested if not url.startswith(("file:", "data:", "blob:"))] == []
    offline.screenshot(path=screenshot_directory / "report_html.png")
    pdf = offline.pdf(prefer_css_page_size=True, print_background=True)
    (screenshot_directory / "report_html_print.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 11  # one indicator to a page at least
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext がないため、印刷した HTML の各ページの確認を省略します（apt-get install poppler-utils）")
    text = subprocess.run(
        ["pdftotext", str(screenshot_directory / "report_html_print.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]
    for number, page in enumerate(pages, start=1):  # every printed page: its number and the sample notice
        assert f"{number}/{len(pages)}" in page
        assert "サンプル（架空）データ" in page


def test_presentation_mode_fills_the_screen_without_sidebar_and_steps_through_slides(
    browser: Browser, app_url: str, screenshot_directory: Path
) -> None:
    page = open_page(browser, f"{app_url}/presentation", width=1920, height=1080)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert page.locator(ERRORS).count() == 0
    page.screenshot(path=screenshot_directory / "presentation_title.png")
    total = int(page.get_by_text(re.compile(r"^1 / \d+$")).inner_text().split("/")[1])
    # Title, summary (and its continuations), 基本方針1, then its first indicator: the first chart.
    for number in range(2, 10):
        rerun(page, page.get_by_role("button", name="次へ").click)  # each click is one rerun, one slide on
        assert page.get_by_text(f"{number} / {total}").count() == 1
        if page.locator(".report-block h2").first.inner_text().startswith("1-①"):
            break
    assert page.locator(".js-plotly-plot").count() == 1
    assert float(page.locator(".report-block").first.evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 24
    page.screenshot(path=screenshot_directory / "presentation_indicator.png")
    rerun(page, page.get_by_text("発表を終わる").click)
    assert page.locator("h1").first.inner_text() == "概要"
    assert page.locator("[data-testid='stSidebar']").is_visible()
