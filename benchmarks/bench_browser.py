"""Benchmark: what a person waits for in the browser, on the sample store and on 100× the data, against Streamlit's floor.

Run from the project root: `python benchmarks/bench_browser.py [--runs N]`. Headless Debian
Chromium (Playwright) opens the dashboard served by `ui.serve`; a page is drawn when the server
has said the run is over, Streamlit shows it idle (no status widget, nothing stale, no element
still loading its code), every plotly chart on it has drawn its SVG, and nothing has changed for
a moment (`tests/streamlit_browser.py`, which the browser tests wait on too). A wait ends at the
page's last change, read from the page's own clock: first paint from navigation (in a fresh
browser context, nothing cached), a switch from pressing the option, radio or button.

A minimal Streamlit page with one plotly chart, served with the same settings, is the floor; the
same page with six charts (as many as a trends page draws) is measured for reference. Every figure
is measured in turns with its floor (first paints: floor, six-chart page, sample, 100×, and again;
a switch: the four one after the other), so that a machine that slows down during the long run
slows each alike and the ratios compare like with like. Each is the median of N runs (default 5).

Targets (issue #14): a switch ≤ 1.5× the floor's rerun at sample size and ≤ 2× at 100×; first
paint ≤ 1.3× the floor's at sample size and ≤ 1.6× at 100×; 100×/1× ≤ 1.5 for every figure.
"""

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import store
from analytics.bootstrap import prepare_store
from benchmarks.bench_pages import write_large_store
from tests.streamlit_browser import CHROMIUM, CHROMIUM_ARGUMENTS, new_context, rerun, serve, wait_until_drawn

# URL path → page title, every page in the navigation.
PAGES = {
    "": "概要",
    "trends": "基本方針別トレンド",
    "indicator": "指標詳細",
    "plan_structure": "計画体系",
    "evaluation": "施策評価",
    "method": "評価方法",
    "upload": "データ取込",
    "reports": "報告書出力",
    "presentation": "発表モード",
    "plan_admin": "計画の管理",
    "accounts": "アカウント管理",
}
VIEWPORT = (1440, 1200)
FIRST_PAINT_SAMPLE, FIRST_PAINT_LARGE = 1.3, 1.6
SWITCH_SAMPLE, SWITCH_LARGE = 1.5, 2.0
GROWTH = 1.5
# The floor draws one chart; the same page with as many charts as a trends page (six) is measured
# too, for reference: what the framework itself needs to draw that many (the targets stay on one).
# Each figure is measured on these, in this order, in turns.
SUBJECTS = ("floor", "six", "sample", "large")
FLOOR_PAGE = """
import plotly.graph_objects as go
import streamlit as st

year = st.sidebar.selectbox("評価する年度", [2024, 2023, 2022])
st.title("最小のページ")
for chart in range({charts}):
    st.plotly_chart(go.Figure(go.Scatter(x=list(range(10)), y=[(i * year + chart) % 7 for i in range(10)])))
"""
REFERENCE_CHARTS = 6


def measure_first_paints(browser, urls: list[str], runs: int) -> list[float]:
    """Median seconds from navigation to each page's last change, the pages taking turns, each run in
    a fresh context (no cached page code)."""
    timings = [[] for _ in urls]
    for _ in range(runs):
        for timing, url in zip(timings, urls, strict=True):
            context = new_context(browser, *VIEWPORT)
            page = context.new_page()
            page.goto(url)
            wait_until_drawn(page)
            # The page's clock starts at its navigation.
            timing.append(page.evaluate("window.__changed") / 1000)
            context.close()
    return [statistics.median(timing) for timing in timings]


def measure_switches(browser, targets: list[tuple[str, Callable[[object, int], None]]], runs: int) -> list[float]:
    """Median seconds from a click to the page's last change for each (url, switch), one page after
    the other (a page left open in the background would not draw); `switch(page, n)` makes the n-th change."""
    medians = []
    for url, switch in targets:
        context = new_context(browser, *VIEWPORT)
        page = context.new_page()
        page.goto(url)
        wait_until_drawn(page)
        timings = []
        for number in range(runs):
            rerun(page, partial(switch, page, number))
            timings.append(page.evaluate("window.__changed - window.__clicked") / 1000)
        context.close()
        medians.append(statistics.median(timings))
    return medians


def _choose(selectbox, page, number: int) -> None:
    """Open a selectbox (untimed work for the person: the list appears at once) and click another option."""
    selectbox.click()
    options = page.locator("[role='option']")
    options.first.wait_for()
    option = options.nth(1 - number % 2)
    # Only the click on the option starts a rerun; opening the list does not.
    option.click()


def switch_year(page, number: int) -> None:
    _choose(page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first, page, number)


def switch_method(page, number: int) -> None:
    radios = page.locator("[data-testid='stSidebar'] [role='radiogroup'] label")
    radios.nth(1 - number % 2).click()


def switch_policy(page, number: int) -> None:
    page.locator("[data-testid='stMain'] [data-testid='stButtonGroup'] button").nth(1 - number % 2).click()


def switch_indicator(page, number: int) -> None:
    _choose(page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first, page, number)


SWITCHES = {
    "年度の切替（概要）": ("", switch_year),
    "評価方法の切替（概要）": ("", switch_method),
    "基本方針の切替（トレンド）": ("trends", switch_policy),
    "指標の切替（指標詳細）": ("indicator", switch_indicator),
}


def measure(browser, folder: Path, runs: int) -> dict[str, dict[str, float]]:
    """Every page's first paint and every switch, each on the floor, the six-chart page and the
    dashboard over both stores (served at once, measured in turns); 指標詳細 opens each plan's first
    indicator."""
    floors = []
    for charts in (1, REFERENCE_CHARTS):
        floors.append(folder / f"floor{charts}.py")
        floors[-1].write_text(FLOOR_PAGE.format(charts=charts), encoding="utf-8")
    small, large = f"sqlite:///{folder}/small.sqlite3", f"sqlite:///{folder}/large.sqlite3"
    prepare_store(small).dispose()
    write_large_store(large)
    with ExitStack() as servers:
        floor, six = (servers.enter_context(serve(["-m", "streamlit", "run", str(script)], "")) for script in floors)
        dashboards = {url: servers.enter_context(serve(["-m", "ui.serve"], url)) for url in (small, large)}
        # The servers' own first runs (database, imports, caches) are not measured.
        measure_first_paints(browser, [floor, six, *dashboards.values()], 1)
        figures = {}
        for path, title in PAGES.items():
            urls = [floor, six, *(_page_url(base, store_url, path) for store_url, base in dashboards.items())]
            figures[f"初回表示 {title}"] = dict(zip(SUBJECTS, measure_first_paints(browser, urls, runs), strict=True))
            _say(f"初回表示 {title}", figures)
        for name, (path, switch) in SWITCHES.items():
            targets = [(floor, switch_year), (six, switch_year)]
            targets += [(_page_url(base, store_url, path), switch) for store_url, base in dashboards.items()]
            figures[name] = dict(zip(SUBJECTS, measure_switches(browser, targets, runs), strict=True))
            _say(name, figures)
    return figures


def _page_url(base: str, database_url: str, path: str) -> str:
    """A page of the dashboard; 指標詳細 with the store's first indicator."""
    if path != "indicator":
        return f"{base}/{path}"
    engine = store.open_store(database_url)
    first = quote(store.read_plans(engine)[-1].indicators["code"].iloc[0])
    engine.dispose()
    return f"{base}/{path}?indicator={first}"


def _say(name: str, figures: dict[str, dict[str, float]]) -> None:
    """Each figure as soon as it is measured: a long run on a busy machine still shows what it has."""
    print(f"  {name}: " + ", ".join(f"{subject} {figures[name][subject]:.2f} s" for subject in SUBJECTS), flush=True)


def report(figures: dict[str, dict[str, float]]) -> int:
    """Print every figure with its ratios to the floor measured in turn with it, and the targets;
    the number of targets missed."""
    missed = 0
    print(
        f"{'wait':<26}{'floor':>7}{'sample':>8}{'×floor':>8}{'100×':>8}{'×floor':>8}{'100×/1×':>9}"
        f"{REFERENCE_CHARTS:>4} charts×floor  targets"
    )
    for name, figure in figures.items():
        paint = name.startswith("初回表示")
        limit_small, limit_large = (FIRST_PAINT_SAMPLE, FIRST_PAINT_LARGE) if paint else (SWITCH_SAMPLE, SWITCH_LARGE)
        floor = figure["floor"]
        ratio_small, ratio_large = figure["sample"] / floor, figure["large"] / floor
        growth = figure["large"] / figure["sample"]
        checks = [ratio_small <= limit_small, ratio_large <= limit_large, growth <= GROWTH]
        missed += checks.count(False)
        verdict = " ".join(
            f"{label}{'○' if ok else '✕'}" for label, ok in zip(("1×", "100×", "伸び"), checks, strict=True)
        )
        print(
            f"{name:<26}{floor:>6.2f}s{figure['sample']:>7.2f}s{ratio_small:>7.2f}×{figure['large']:>7.2f}s"
            f"{ratio_large:>7.2f}×{growth:>9.2f}{figure['six'] / floor:>14.2f}×  {verdict}"
        )
    print(
        f"targets: first paint ≤ {FIRST_PAINT_SAMPLE}× / {FIRST_PAINT_LARGE}× the floor's, switches ≤ "
        f"{SWITCH_SAMPLE}× / {SWITCH_LARGE}× the floor's rerun (sample / 100×), 100×/1× ≤ {GROWTH}; "
        f"the floor's page with {REFERENCE_CHARTS} charts is for reference"
    )
    print("every target met" if not missed else f"{missed} targets not met")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    arguments = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} がないためブラウザのベンチマークを省略します（apt-get install chromium）")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        figures = measure(browser, Path(folder), arguments.runs)
        browser.close()
    report(figures)


if __name__ == "__main__":
    main()
