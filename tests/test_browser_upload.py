"""データ取込 in headless Chromium, as a staff member uses it: sign in, upload, preview, confirm, undo."""

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Stores, serve_dashboard
from playwright.sync_api import Browser, Page, expect

from analytics import store
from analytics.accounts import create_user
from analytics.bootstrap import SAMPLE_DIRECTORY, prepare_store
from analytics.importer import import_files, read_files

UPLOADS = Path(__file__).resolve().parent / "fixtures" / "upload"
SCREENSHOTS = Path(tempfile.gettempdir()) / "upload-screenshots"
ERRORS = "[data-testid='stException']"
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def upload_app(stores: Stores) -> Iterator[tuple[str, str]]:
    """The dashboard over its own live store (the sample files imported as real results, and one
    editor), so uploads are compared with real values and touch no other test."""
    database_url = stores.new_url()
    engine = prepare_store(database_url, sample=False)
    import_files(engine, read_files(sorted(SAMPLE_DIRECTORY.glob("*.xlsx"))), "初期データ")
    create_user(engine, "山田", "correct horse")
    engine.dispose()
    SCREENSHOTS.mkdir(exist_ok=True)
    with serve_dashboard(database_url) as url:
        yield url, database_url


def _shot(page: Page, name: str) -> None:
    page.wait_for_timeout(1500)  # tables draw on a canvas after the page settles
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def _open_signed_in(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1800}, locale="ja-JP").new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{url}/upload")
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=TIMEOUT)
    expect(page.locator("h1").first).to_have_text("データ取込", timeout=TIMEOUT)
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    _shot(page, "01_signed_out")
    page.get_by_label("ユーザー名").fill("山田")
    page.get_by_label("パスワード").fill("correct horse")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("山田 さん（編集者）としてログインしています", exact=False)).to_be_visible()
    return page


def _upload(page: Page, path: Path) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    expect(page.get_by_text("件のファイルを読み込みました", exact=False)).to_be_visible()


def test_upload_preview_confirm_then_the_new_year_is_on_the_dashboard_and_undo(
    browser: Browser, upload_app: tuple[str, str]
) -> None:
    url, database_url = upload_app
    page = _open_signed_in(browser, url)
    _shot(page, "02_signed_in")

    _upload(page, UPLOADS / "wide_merged_header.xlsx")
    expect(page.locator("[data-testid='stMetricValue']")).to_have_text(["2 件", "0 件", "4 件", "0 件"])
    assert page.locator(ERRORS).count() == 0
    _shot(page, "03_preview")

    page.get_by_role("button", name="この内容で取り込む").click()
    success = page.get_by_text(re.compile(r"取込 \d+ として取り込みました: 新規 2 件、変更 0 件"))
    expect(success).to_be_visible()
    _shot(page, "04_confirmed")
    engine = store.open_store(database_url)
    latest = store.read_batches(engine).iloc[0]
    assert (latest["created_by"], latest["added"]) == ("山田", 2)

    overview = page.context.new_page()
    overview.goto(url)
    expect(overview.locator("h1").first).to_have_text("概要", timeout=TIMEOUT)
    # The newest year with data becomes the year the dashboard evaluates by default.
    expect(overview.get_by_text("令和7(2025)年度", exact=False).first).to_be_visible(timeout=TIMEOUT)
    _shot(overview, "05_overview_with_new_year")

    page.locator("[data-testid='stSelectbox']", has_text="取り消す取込").click()
    page.get_by_role("option", name=re.compile(rf"^取込 {latest['id']}\b")).click()
    page.get_by_role("button", name="この取込を取り消す").click()
    expect(page.get_by_text(f"取込 {latest['id']} を取り消しました", exact=False)).to_be_visible()
    _shot(page, "06_undone")
    assert store.read_observations(engine).query("fiscal_year == 2025").empty


def test_a_wrong_file_is_listed_with_its_fix_and_cannot_be_confirmed(
    browser: Browser, upload_app: tuple[str, str]
) -> None:
    url, _ = upload_app
    page = _open_signed_in(browser, url)
    _upload(page, UPLOADS / "ambiguous_fraction.xlsx")
    expect(page.get_by_text("1 件の問題があるため、取り込めません", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="この内容で取り込む")).to_be_disabled()
    assert page.locator(ERRORS).count() == 0
    _shot(page, "07_error_preview")
