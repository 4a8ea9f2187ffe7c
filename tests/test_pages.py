"""Every page runs under AppTest against a fresh store with the sample data, and shows what it should."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import store

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))


@pytest.fixture(autouse=True)
def _fresh_store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()


def _run(path: Path) -> AppTest:
    app = AppTest.from_file(str(path), default_timeout=30)
    app.run()
    return app


@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_page_runs_without_error_and_says_the_data_is_fictional(page: Path) -> None:
    app = _run(page)
    assert not app.exception
    assert not app.error
    assert any("サンプル（架空）データ" in warning.value for warning in app.warning)


def test_entry_point_opens_the_overview() -> None:
    app = _run(ROOT / "dashboard.py")
    assert not app.exception
    assert app.title[0].value == "概要"
    assert any("データベース:" in caption.value for caption in app.sidebar.caption)


def test_plan_page_shows_the_current_plan_as_a_tree() -> None:
    app = _run(ROOT / "pages" / "plan_structure.py")
    assert "11月30日現在" in app.caption[0].value
    assert [header.value.split("　")[0] for header in app.subheader] == ["基本方針1", "基本方針2", "基本方針3"]
    assert [len(table.value) for table in app.table] == [6, 2, 3]
    assert "自治会への加入促進、役員の役割の効率化の事例の紹介" in app.markdown[1].value + app.markdown[3].value


def test_overview_shows_each_indicators_latest_value_year_and_n() -> None:
    table = _run(ROOT / "pages" / "overview.py").table[0].value.set_index("指標")
    assert len(table) == 11
    assert table.loc["1-①", ["最新年度", "値"]].tolist() == ["令和6(2024)年度", "53.4%"]
    assert table.loc["1-⑤", "最新年度"] == "令和5(2023)年度"
