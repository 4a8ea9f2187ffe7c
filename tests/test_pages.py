"""Every page, driven through the entry point as a user would, on a fresh store with the sample data."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import store

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "pages").glob("*.py"))


@pytest.fixture(autouse=True)
def _fresh_store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()


def _open(page: str | None = None, **query: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in query.items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    return app.run()


def _texts(app: AppTest) -> str:
    elements = [*app.markdown, *app.caption, *app.subheader, *app.header, *app.warning, *app.info]
    return "\n".join(str(element.value) for element in elements)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_error_and_says_the_data_is_fictional(page: str) -> None:
    app = _open(page)
    assert not app.exception
    assert not app.error
    assert any("サンプル（架空）データ" in warning.value for warning in app.warning)


def test_entry_point_opens_the_overview_with_year_and_method_in_the_sidebar() -> None:
    app = _open()
    assert app.title[0].value == "概要"
    assert app.sidebar.selectbox[0].value == 2024
    assert app.sidebar.radio[0].value == "linear"
    assert any("データベース:" in caption.value for caption in app.sidebar.caption)


def test_overview_shows_the_survey_year_statuses_and_flagged_indicators_with_reasons() -> None:
    app = _open()
    assert app.caption[0].value.startswith("令和6(2024)年度の調査結果 ・ 評価方法: 直線法")
    assert app.subheader[0].value == "計画全体（11指標）: △ やや遅れ"
    texts = _texts(app)
    assert "**✕ 悪化　1-④　ボランティアやNPOの活動に関する情報が入手できると感じている市民の割合**" in texts
    assert "令和6(2024)年度: 52.3% ±2.8pt（n=1,213）" in texts
    assert "- 目標達成ペースを下回る（差 −6.5pt、誤差 ±2.8pt を超える）" in texts
    assert "最新の調査年度（令和6(2024)年度）の値がない" in texts
    statuses = app.table[0].value.set_index("指標")["状況"]
    assert statuses.to_dict() == {
        "1-①": "○ 順調",
        "1-②": "▲ 遅れ",
        "1-③": "△ やや遅れ",
        "1-④": "✕ 悪化",
        "1-⑤": "－ データなし",
        "1-⑥": "○ 順調",
        "2-①": "◎ 達成",
        "2-②": "○ 順調",
        "3-①": "△ やや遅れ",
        "3-②": "○ 順調",
        "3-③": "▲ 遅れ",
    }


def test_flagged_indicators_come_worst_first_each_linking_to_its_detail() -> None:
    app = _open()
    flagged = [m.value for m in app.markdown if m.value.startswith("**") and "　" in m.value]
    assert [line.split("　")[1] for line in flagged] == ["1-④", "1-⑤", "1-②", "3-③", "3-①"]


def test_choosing_an_earlier_year_evaluates_what_was_known_then() -> None:
    app = _open()
    app.sidebar.selectbox[0].select(2020).run()
    assert app.caption[0].value.startswith("令和2(2020)年度の調査結果")
    assert app.table[0].value.set_index("指標").loc["3-③", "値"] == "18.6% ±2.8pt（n=744）"


def test_choosing_the_growth_rate_method_regrades_with_it() -> None:
    app = _open()
    app.sidebar.radio[0].set_value("cagr").run()
    assert "評価方法: 成長率法（Open SDG 方式）" in app.caption[0].value
    assert app.table[0].value.set_index("指標").loc["1-④", "状況"] == "✕ 悪化"


def test_trends_page_shows_each_policy_with_a_chart_per_indicator_and_its_actions() -> None:
    app = _open("pages/trends.py")
    charts = []
    for code, indicators in (("1", 6), ("2", 2), ("3", 3)):
        app.get("button_group")[0].set_value(code).run()
        assert app.header[0].value == f"基本方針{code}"
        assert len(app.get("plotly_chart")) == indicators
        charts.append(len(app.get("plotly_chart")))
    assert "② 職員の「参画と協働」に対する意識の向上" in _texts(app)
    assert sum(charts) == 11


def test_indicator_page_opens_the_indicator_named_in_the_url() -> None:
    app = _open("pages/indicator.py", indicator="3-③")
    assert app.subheader[0].value == "3-③　ボランティアやNPOなどの活動に参加している職員の割合"
    assert app.metric[0].label == "▲ 遅れ"
    assert app.metric[0].value == "16.0%"
    history = app.table[0].value
    assert history["年度"].iloc[-1] == "令和6(2024)年度"
    assert history.iloc[-1][["前年度からの変化", "変化の判定"]].tolist() == ["−4.9pt", "誤差を超える"]


def test_choosing_another_indicator_updates_the_url_for_sharing() -> None:
    app = _open("pages/indicator.py")
    app.selectbox[-1].select("1-②").run()
    assert app.query_params["indicator"] == "1-②"
    assert app.subheader[0].value.startswith("1-②")


def test_citizen_indicator_shows_age_and_area_breakdowns_marking_groups_behind() -> None:
    app = _open("pages/indicator.py", indicator="1-①")
    assert [tab.label for tab in app.tabs] == ["年代", "地域"]
    ages = app.table[1].value
    assert ages["区分"].tolist() == ["10代", "20代", "30代", "40代", "50代", "60代", "70歳以上"]
    areas = app.table[2].value
    assert areas["状況"].iloc[0] in {"✕ 悪化", "▲ 遅れ"}


def test_plan_page_shows_the_tree_and_the_draft_comparison() -> None:
    app = _open("pages/plan_structure.py")
    assert [tab.label for tab in app.tabs] == ["現行の体系", "案の比較"]
    assert [len(table.value) for table in app.table] == [6, 2, 3]
    assert "② 自治会への加入促進" not in _texts(app)
    assert "⑨ 自治会への加入促進、役員の役割の効率化の事例の紹介" in _texts(app)
    comparison = app.get("html")[-1].proto.body
    assert "自治会への加入促進<ins>、役員の役割の効率化の事例の紹介</ins>" in comparison
    assert "11月13日送付 → 11月30日現在: 8 件の変更" in _texts(app)
