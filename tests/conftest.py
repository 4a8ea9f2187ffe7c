"""Shared fixtures: fresh stores on temporary SQLite files, and the app served for browser tests."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import Engine

from analytics import store
from analytics.bootstrap import SAMPLE_DIRECTORY, prepare_store
from analytics.importer import import_files, read_files
from analytics.plan import load_plans

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def engine(database_url: str) -> Engine:
    """A store as a new user gets it: both plan drafts and the sample data."""
    return prepare_store(database_url)


@pytest.fixture
def empty_engine(database_url: str) -> Engine:
    """A store with the plan but no observations."""
    engine = store.open_store(database_url)
    store.sync_plans(engine, load_plans())
    return engine


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served by `python -m ui.serve` on a free port, over a fresh store."""
    with serve_dashboard(tmp_path_factory.mktemp("browser") / "store.sqlite3") as url:
        yield url


@contextmanager
def serve_dashboard(database: Path) -> Iterator[str]:
    """Serve the dashboard on a free port over the SQLite store at `database` (created if new)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT,
        env={**os.environ, store.DATABASE_URL_VARIABLE: f"sqlite:///{database}"},
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


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    """Debian's headless Chromium; missing it skips locally but fails in CI, where .ci/run installs it."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} がありません。.ci/run が chromium をインストールするはずです。")
        pytest.skip(f"{CHROMIUM} がないためブラウザのテストを省略します（apt-get install chromium）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshot_directory() -> Path:
    """Where browser tests save what they saw, for a person to look at (kept out of git)."""
    directory = ROOT / "screenshots"
    directory.mkdir(exist_ok=True)
    return directory


def _wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"dashboard exited with {server.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"dashboard did not answer {url} within {seconds} s")


@pytest.fixture
def real_engine(empty_engine: Engine) -> Engine:
    """A live store: the sample files imported as real results (not marked sample), so that new
    batches are compared with them instead of withdrawing them."""
    import_files(empty_engine, read_files(sorted(SAMPLE_DIRECTORY.glob("*.xlsx"))), "初期データ")
    return empty_engine
