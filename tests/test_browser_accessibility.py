"""Every page in headless Chromium at desk and phone width: Japanese, accessible, offline, readable, no label overlaps."""

import csv
import io
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from streamlit_browser import new_context, rerun, wait_until_drawn

PAGES = {
    "": "概要",
    "trends": "基本方針別トレンド",
    "indicator": "指標詳細",
    "plan_structure": "計画体系",
    "method": "評価方法",
    "upload": "データ取込",
    "reports": "報告書出力",
    "presentation": "発表モード",
    "plan_admin": "計画の管理",
    "accounts": "アカウント管理",
}
WIDTHS = (1440, 400)
# English that Streamlit or plotly would show if the app left it there.
ENGLISH = ("Download plot", "Made with Streamlit", "Record screen", "Browse files", "MB per file", "Fullscreen")
# Every rendered text of every plotly chart with its box (tick labels, legend, annotations, titles).
_TEXT_BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map((plot) =>
  [...plot.querySelectorAll('svg text')]
    .filter((text) => text.textContent.trim() && text.getBoundingClientRect().width > 0)
    .map((text) => { const b = text.getBoundingClientRect();
      return {text: text.textContent.trim(), left: b.left, top: b.top, right: b.right, bottom: b.bottom}; }))"""


def _visit(browser: Browser, url: str, width: int) -> tuple[Page, list[str]]:
    """A first visit, recording every request that leaves the machine."""
    context = new_context(browser, width)
    outside: list[str] = []
    context.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlsplit(request.url).hostname not in {"127.0.0.1", "localhost", None}
            and not request.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    page = context.new_page()
    page.goto(url)
    wait_until_drawn(page)
    return page, outside


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes intersect by more than a pixel each way."""
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("path", "title"), PAGES.items(), ids=[path or "overview" for path in PAGES])
def test_page_is_japanese_accessible_offline_fits_the_screen_and_no_chart_text_overlaps(
    browser: Browser, app_url: str, screenshot_directory: Path, path: str, title: str, width: int
) -> None:
    page, outside = _visit(browser, f"{app_url}/{path}", width)
    # Streamlit loads the code of st.html and of plotly on first use: wait for both to have run.
    expected_charts = {"": 1, "trends": 6, "indicator": 3}.get(path, 0)
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected_charts}"
        " && document.documentElement.lang === 'ja'",
        timeout=60_000,
    )
    page.screenshot(path=screenshot_directory / f"a11y_{path or 'overview'}_{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.lang") == "ja"
    assert page.title() == f"{title}｜参画と協働 指標ダッシュボード"
    assert outside == []
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["nodes"][0]["target"]) for v in violations if v["impact"] in ("serious", "critical")] == []
    visible_text = page.locator("body").inner_text()
    assert [word for word in ENGLISH if word in visible_text] == []
    # The app scrolls inside its main section, so both it and the document must fit the width.
    widths = page.evaluate(
        "() => { const main = document.querySelector('[data-testid=stMain]');"
        " return [document.documentElement.scrollWidth, main.scrollWidth, main.clientWidth]; }"
    )
    assert widths[0] <= width
    assert widths[1] <= widths[2]
    charts = page.locator("[data-testid=stPlotlyChart]").count()
    assert [_overlaps(boxes) for boxes in page.evaluate(_TEXT_BOXES)] == [[]] * charts


def test_a_shared_link_reproduces_year_method_and_indicator(browser: Browser, app_url: str) -> None:
    page, _ = _visit(browser, f"{app_url}/indicator?indicator={quote('3-③')}&year=2020&method=cagr", 1440)
    assert page.locator("h3").first.inner_text().startswith("3-③")
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_role("combobox", name="評価する年度")).to_have_value("令和2(2020)年度")
    expect(sidebar.get_by_role("radio", name="成長率法（Open SDG 方式）")).to_be_checked()
    assert page.get_by_text("令和2(2020)年度: ", exact=False).count() >= 1


def test_an_unknown_indicator_in_a_link_is_said_and_the_list_offered(browser: Browser, app_url: str) -> None:
    page, _ = _visit(browser, f"{app_url}/indicator?indicator={quote('9-①')}", 1440)
    expect(page.get_by_text("リンクの指標「9-①」は見つかりません。", exact=False)).to_be_visible()
    expect(page.get_by_role("combobox", name="指標", exact=True)).to_have_value("")
    assert page.locator("h3").count() == 0


def test_chart_numbers_download_as_csv_with_bom_and_as_xlsx_named_after_indicator_and_year(
    browser: Browser, app_url: str, screenshot_directory: Path
) -> None:
    page, _ = _visit(browser, f"{app_url}/indicator?indicator={quote('1-②')}", 1440)
    # Opening the expander reruns the page to send its numbers: the buttons are pressed once that
    # run is drawn, not while its elements (and the Excel file's deferred id) are still arriving.
    rerun(page, page.get_by_text("グラフの数値（表とダウンロード）").first.click)
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="CSV でダウンロード").first.click()
    assert csv_download.value.suggested_filename == "1-②_令和6(2024)年度.csv"
    content = Path(csv_download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["年度", "実績値", "単位"]
    assert rows[-1][:3] == ["令和6(2024)年度", "52.3", "%"]
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Excel でダウンロード").first.click()
    assert xlsx_download.value.suggested_filename == "1-②_令和6(2024)年度.xlsx"
    sheet = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert [cell.value for cell in sheet[sheet.max_row]][:3] == ["令和6(2024)年度", 52.3, "%"]
    page.screenshot(path=screenshot_directory / "chart_numbers_1-2.png", full_page=True)


def test_presentation_moves_with_the_keys_a_presenters_clicker_sends(
    browser: Browser, app_url: str, screenshot_directory: Path
) -> None:
    page, _ = _visit(browser, f"{app_url}/presentation", 1440)
    position = page.get_by_text(" / 21", exact=False)
    expect(position).to_have_text("1 / 21")
    for key, expected in [
        ("ArrowRight", "2 / 21"),
        ("PageDown", "3 / 21"),
        ("Space", "4 / 21"),
        ("ArrowLeft", "3 / 21"),
        ("PageUp", "2 / 21"),
        ("End", "21 / 21"),
        ("Home", "1 / 21"),
    ]:
        page.keyboard.press(key)
        expect(position).to_have_text(expected)
    page.keyboard.press("End")  # at once, while the page is still redrawing the first slide
    expect(position).to_have_text("21 / 21")
    wait_until_drawn(page)
    page.screenshot(path=screenshot_directory / "presentation_last_slide.png", full_page=True)
