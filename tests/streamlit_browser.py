"""Serving a Streamlit script and telling, in headless Chromium, when a run is drawn: for browser tests and bench_browser."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# A first paint on a 2-core machine that also runs the suite can take well over Playwright's 30 s.
DRAWN_TIMEOUT_MS = 120_000
QUIET_MS = 150
# Counts the runs the server reports started and over (its messages saying the script is running,
# then no longer running) and notes when the page last changed. The page's own
# data-test-script-state is no witness: when a rerun's messages arrive together, React draws
# "running" and "notRunning" in one go and the attribute never changes.
_INSTRUMENT = """(([started, stopped]) => {
  window.__started = 0;
  window.__finished = 0;
  window.__changed = 0;
  const is = (bytes, message) => bytes.length === message.length && bytes.every((byte, at) => byte === message[at]);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', ({ data }) => {
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : null;
        if (bytes && is(bytes, started)) window.__started += 1;
        if (bytes && is(bytes, stopped)) {
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
# Drawn: the server has started a run since `before` runs and finished every run it started, the
# page shows no run, nothing stale and no element still loading its code (Streamlit draws a
# skeleton in its place, links included), every plotly chart has drawn its SVG, and nothing
# changed for QUIET_MS.
_DRAWN = f"""(before) => {{
  if (window.__started <= before || window.__finished < window.__started) return false;
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
def serve(arguments: list[str], database_url: str) -> Iterator[str]:
    """Serve `python <arguments>` (the dashboard through `-m ui.serve`, or `-m streamlit run` a script)
    on a free port over the store at `database_url`; stop it after."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, *arguments, "--server.port", str(port), "--server.address", "127.0.0.1"],
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


def free_port() -> int:
    """A port no one listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def new_context(browser: "Browser", width: int = 1400, height: int = 2400) -> "BrowserContext":
    """A fresh Japanese browser context (nothing cached) whose pages count the server's runs."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ja-JP")
    context.add_init_script(f"{_INSTRUMENT}({[list(_status_message(running)) for running in (True, False)]});")
    return context


def open_page(browser: "Browser", url: str, width: int = 1400, height: int = 2400) -> "Page":
    """A first visit in a fresh context, returned once the page is drawn as the person sees it."""
    page = new_context(browser, width, height).new_page()
    page.goto(url)
    wait_until_drawn(page)
    return page


def wait_until_drawn(page: "Page", before: int = 0) -> None:
    """Wait until the server has run this page again since its `before`-th run, finished every run
    it started, and the page has drawn the last one."""
    page.wait_for_function(_DRAWN, arg=before, timeout=DRAWN_TIMEOUT_MS)


def rerun(page: "Page", action: Callable[[], None]) -> None:
    """Do what starts a rerun (a click, a key) and wait until the page has drawn it."""
    before = page.evaluate("window.__started")
    action()
    wait_until_drawn(page, before)


def _status_message(running: bool) -> bytes:
    """The bytes Streamlit sends when a run starts or is over, from its own protocol (a pinned upgrade may move them)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    message.session_status_changed.script_is_running = running
    message.session_status_changed.SetInParent()
    return message.SerializeToString()
