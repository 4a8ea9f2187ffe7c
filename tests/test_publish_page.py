"""報告書出力's 公開用サイト: an 管理者 publishes a year, then anyone downloads the site as a zip."""

import io
import zipfile
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.accounts import ADMIN, User
from analytics.bootstrap import prepare_store
from analytics.publish.approval import read_published_years
from analytics.publish.site import build_site_archive

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()


def _downloads(app: AppTest) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


def test_admin_publishes_a_year_and_the_site_zip_appears(database_url: str) -> None:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.session_state["signed_in_user"] = User(name="管理太郎", role=ADMIN)
    app.switch_page("pages/reports.py")
    app.run()
    assert _downloads(app) == ["報告書をダウンロード"]
    assert "公表済みの年度がありません。管理者が年度を公表すると作れます。" in [info.value for info in app.info]
    app.selectbox(key="publish_year").set_value(2023)
    app.button(key="publish_approve").click().run()
    assert _downloads(app) == ["報告書をダウンロード", "公開用サイトをダウンロード（zip）"]
    assert "公表済み: 令和5(2023)年度" in [markdown.value for markdown in app.markdown]
    engine = prepare_store(database_url)
    assert read_published_years(engine) == [2023]
    names = zipfile.ZipFile(io.BytesIO(build_site_archive(engine))).namelist()
    assert {"index.html", "en/index.html", "datapackage.json", "data/plan.csv", "style.css"} <= set(names)
