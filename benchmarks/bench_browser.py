"""Benchmark: what a person waits for in the browser, on the sample store and on 100× the data, against Streamlit's floor.

Run from the project root: `python benchmarks/bench_browser.py [--runs N]`. Headless Debian
Chromium (Playwright) opens the dashboard served by `ui.serve`; a page is "ready" when the server
has said the run is over, Streamlit shows it idle (no status widget, nothing stale, no chart still
loading its code), every plotly chart on it has drawn its SVG, and nothing has changed for
QUIET_MS. A wait ends at the page's last change, read from the page's own clock: first paint from
navigation (in a fresh browser context, nothing cached), a switch from pressing the option, radio
or button. A minimal Streamlit page with one plotly chart, measured in the same run and served
with the same settings, is the floor. Each figure is the median of N runs (default 5). Targets
(issue #14): a switch ≤ 1.5× the floor's rerun at sample size and ≤ 2× at 100×; first paint ≤ 1.3×
the floor's at sample size and ≤ 1.6× at 100×; 100×/1× ≤ 1.5 for every figure.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import store
from analytics.bootstrap import prepare_store
from benchmarks.bench_pages import write_large_store

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
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
TIMEOUT_MS = 180_000
FIRST_PAINT_SAMPLE, FIRST_PAINT_LARGE = 1.3, 1.6
SWITCH_SAMPLE, SWITCH_LARGE = 1.5, 2.0
GROWTH = 1.5
FLOOR_PAGE = """
import plotly.graph_objects as go
import streamlit as st

year = st.sidebar.selectbox("評価する年度", [2024, 2023, 2022])
st.title("最小のページ")
st.plotly_chart(go.Figure(go.Scatter(x=list(range(10)), y=[(i * year) % 7 for i in range(10)])))
"""
# Counts the runs the server reports over (the message saying the script is no longer running) and
# notes when the page last changed. The page's own data-test-script-state is no witness: when a
# rerun's messages arrive together, React draws "running" and "notRunning" in one go and the
# attribute never changes.
_INSTRUMENT = """((stopped) => {
  window.__finished = 0;
  window.__changed = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ({ data }) => {
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : null;
        if (bytes && bytes.length === stopped.length && bytes.every((byte, at) => byte === stopped[at])) {
          window.__finished += 1;
          window.__changed = performance.now();
        }
      });
    }
  };
  // A switch starts when the person presses the option, radio or button.
  document.addEventListener('pointerdown', () => { window.__clicked = performance.now(); }, true);
  new MutationObserver(() => { window.__changed = performance.now(); }).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
})"""
# Ready: the server finished the run, the page shows no run, nothing stale and no chart still
# loading its code, every plotly chart has drawn its SVG, and nothing changed for QUIET_MS. The
# wait is then the time of the last change: what the person saw last.
QUIET_MS = 150
_READY = f"""(runs) => {{
  if (window.__finished < runs) return false;
  const app = document.querySelector('[data-test-script-state]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"] button, [data-stale="true"], [data-testid="stSkeleton"]')) {{
    return false;
  }}
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (!charts.every((chart) => chart.querySelector('.js-plotly-plot .main-svg'))) return false;
  return performance.now() - window.__changed >= {QUIET_MS};
}}"""


@contextmanager
def serve(script: str, database_url: str) -> Iterator[str]:
    """Serve a Streamlit script (the dashboard through ui.serve, or the floor) on a free port; stop it after."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["-m", "ui.serve"] if script == "dashboard.py" else ["-m", "streamlit", "run", script]
    server = subprocess.Popen(
        [sys.executable, *command, "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT,
        env={**os.environ, store.DATABASE_URL_VARIABLE: database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(f"{url}/_stcore/health", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"server did not answer {url} within {seconds} s")


def measure_first_paint(browser, url: str, runs: int) -> float:
    """Median seconds from navigation to ready, each run in a fresh context (no cached page code)."""
    timings = []
    for _ in range(runs):
        context = _new_context(browser)
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(_READY, arg=1, timeout=TIMEOUT_MS)
        # The page's clock starts at its navigation.
        timings.append(page.evaluate("window.__changed") / 1000)
        context.close()
    return statistics.median(timings)


def measure_switch(browser, url: str, runs: int, switch: Callable[[object, int], None]) -> float:
    """Median seconds from a click to ready again; `switch(page, n)` makes the n-th change."""
    context = _new_context(browser)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(_READY, arg=1, timeout=TIMEOUT_MS)
    timings = []
    for number in range(runs):
        before = page.evaluate("window.__finished")
        switch(page, number)
        page.wait_for_function(_READY, arg=before + 1, timeout=TIMEOUT_MS)
        timings.append(page.evaluate("window.__changed - window.__clicked") / 1000)
    context.close()
    return statistics.median(timings)


def _script_stopped_message() -> bytes:
    """The bytes Streamlit sends when a run is over, from its own protocol (a pinned upgrade may move them)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    message.session_status_changed.script_is_running = False
    message.session_status_changed.SetInParent()
    return message.SerializeToString()


def _new_context(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1200}, locale="ja-JP")
    context.add_init_script(f"{_INSTRUMENT}({list(_script_stopped_message())});")
    return context


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


def measure_dashboard(browser, database_url: str, runs: int) -> dict[str, float]:
    """Every page's first paint and every switch on one store; 指標詳細 opens the plan's first indicator."""
    engine = store.open_store(database_url)
    first = quote(store.read_plans(engine)[-1].indicators["code"].iloc[0])
    engine.dispose()
    figures = {}
    with serve("dashboard.py", database_url) as url:
        measure_first_paint(browser, url, 1)  # the server's own first run: database, imports, caches
        for path, title in PAGES.items():
            path = f"{path}?indicator={first}" if path == "indicator" else path
            figures[f"初回表示 {title}"] = measure_first_paint(browser, f"{url}/{path}", runs)
            _say(f"初回表示 {title}", figures)
        for name, (path, switch) in SWITCHES.items():
            path = f"{path}?indicator={first}" if path == "indicator" else path
            figures[name] = measure_switch(browser, f"{url}/{path}", runs, switch)
            _say(name, figures)
    return figures


def _say(name: str, figures: dict[str, float]) -> None:
    """Each figure as soon as it is measured: a long run on a busy machine still shows what it has."""
    print(f"  {name}: {figures[name]:.2f} s", flush=True)


def measure_floor(browser, folder: Path, runs: int) -> tuple[float, float]:
    """The floor: first paint and a selectbox rerun of a minimal page with one plotly chart."""
    script = folder / "floor.py"
    script.write_text(FLOOR_PAGE, encoding="utf-8")
    with serve(str(script), "") as url:
        measure_first_paint(browser, url, 1)
        return measure_first_paint(browser, url, runs), measure_switch(browser, url, runs, switch_year)


def report(small: dict[str, float], large: dict[str, float], floor_paint: float, floor_rerun: float) -> int:
    """Print every figure with its ratios and targets; the number of targets missed."""
    missed = 0
    print(f"floor (minimal page, one plotly chart): first paint {floor_paint:.2f} s, rerun {floor_rerun:.2f} s")
    print(f"{'wait':<28}{'sample':>9}{'×floor':>8}{'100×':>9}{'×floor':>8}{'100×/1×':>9}  targets")
    for name in small:
        paint = name.startswith("初回表示")
        floor = floor_paint if paint else floor_rerun
        limit_small, limit_large = (FIRST_PAINT_SAMPLE, FIRST_PAINT_LARGE) if paint else (SWITCH_SAMPLE, SWITCH_LARGE)
        ratio_small, ratio_large, growth = small[name] / floor, large[name] / floor, large[name] / small[name]
        checks = [ratio_small <= limit_small, ratio_large <= limit_large, growth <= GROWTH]
        missed += checks.count(False)
        verdict = " ".join(
            f"{label}{'○' if ok else '✕'}" for label, ok in zip(("1×", "100×", "伸び"), checks, strict=True)
        )
        print(
            f"{name:<28}{small[name]:>8.2f}s{ratio_small:>7.2f}×{large[name]:>8.2f}s{ratio_large:>7.2f}×"
            f"{growth:>9.2f}  {verdict}"
        )
    print(
        f"targets: first paint ≤ {FIRST_PAINT_SAMPLE}× / {FIRST_PAINT_LARGE}× the floor's, switches ≤ "
        f"{SWITCH_SAMPLE}× / {SWITCH_LARGE}× the floor's rerun (sample / 100×), 100×/1× ≤ {GROWTH}"
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
        small_url = f"sqlite:///{folder}/small.sqlite3"
        prepare_store(small_url).dispose()
        large_url = f"sqlite:///{folder}/large.sqlite3"
        write_large_store(large_url)
        floor_paint, floor_rerun = measure_floor(browser, Path(folder), arguments.runs)
        print(f"floor: first paint {floor_paint:.2f} s, rerun {floor_rerun:.2f} s\nsample store:", flush=True)
        small = measure_dashboard(browser, small_url, arguments.runs)
        print("100× store:", flush=True)
        large = measure_dashboard(browser, large_url, arguments.runs)
        browser.close()
    report(small, large, floor_paint, floor_rerun)


if __name__ == "__main__":
    main()
