"""Every page, driven through the entry point as a user would, on a fresh store with the sample data."""

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from page_tables import page_tables
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.accounts import EDITOR, User
from analytics.bootstrap import prepare_store
from analytics.importer import import_files, read_files
from analytics.plan_admin import PLAN_FIELDS, revise_indicator, save_revision

SAVED = datetime(2026, 5, 10, 1, 30, tzinfo=UTC)

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


def _tables(app: AppTest, column: str) -> list:
    """The page's tables that have `column`, in page order (each chart's number table comes first)."""
    return [table for table in page_tables(app) if column in table.columns]


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
    # Where the server keeps its database is for the administrator, not for the people reading.
    assert [caption.value.split(":")[0] for caption in app.sidebar.caption] == ["評価に使う計画", "最終更新"]
    assert (app.query_params["year"], app.query_params["method"]) == ("2024", "linear")


def test_overview_shows_the_survey_year_statuses_and_flagged_indicators_with_reasons() -> None:
    app = _open()
    assert app.caption[0].value.startswith("令和6(2024)年度の調査結果 ・ 評価方法: 直線法")
    assert app.subheader[0].value == "計画全体（11指標）: ○ 順調"
    texts = _texts(app)
    assert (
        "**▲ 遅れ（誤差を考えると ✕ 悪化 の可能性あり）　1-④　"
        "ボランティアやNPOの活動に関する情報が入手できると感じている市民の割合**"
    ) in texts
    assert "令和6(2024)年度: 52.3% ±2.8pt（n=1,213）" in texts
    assert "- 目標達成ペースを下回る（差 −6.5pt、誤差 2.8pt を超える）" in texts
    assert "最新の調査年度（令和6(2024)年度）の値がない" in texts
    statuses = _tables(app, "指標")[0].set_index("指標")["状況"]
    # 1-③'s shortfall is within error, so 順調; 1-④ is below its baseline, but not beyond error, so 遅れ.
    assert statuses.to_dict() == {
        "1-①": "○ 順調（誤差を考えると △ やや遅れ の可能性あり）",
        "1-②": "▲ 遅れ（誤差を考えると △ やや遅れ の可能性あり）",
        "1-③": "○ 順調（誤差を考えると △ やや遅れ、▲ 遅れ の可能性あり）",
        "1-④": "▲ 遅れ（誤差を考えると ✕ 悪化 の可能性あり）",
        "1-⑤": "－ データなし",
        "1-⑥": "○ 順調（誤差を考えると △ やや遅れ の可能性あり）",
        "2-①": "◎ 達成",
        "2-②": "○ 順調",
        "3-①": "△ やや遅れ（誤差を考えると ▲ 遅れ の可能性あり）",
        "3-②": "○ 順調（誤差を考えると △ やや遅れ の可能性あり）",
        "3-③": "▲ 遅れ（誤差を考えると ✕ 悪化 の可能性あり）",
    }


def test_flagged_indicators_come_worst_first_each_linking_to_its_detail() -> None:
    app = _open()
    flagged = [m.value for m in app.markdown if m.value.startswith("**") and "　" in m.value]
    assert [line.split("　")[1] for line in flagged] == ["1-⑤", "1-②", "1-④", "3-③", "3-①"]


def test_choosing_an_earlier_year_evaluates_what_was_known_then() -> None:
    app = _open()
    app.sidebar.selectbox[0].select(2020).run()
    assert app.caption[0].value.startswith("令和2(2020)年度の調査結果")
    # 744 of the (fictional) 1,050 staff answered: the finite-population correction narrows the margin.
    assert _tables(app, "指標")[0].set_index("指標").loc["3-③", "値"] == "18.6% ±1.5pt（n=744）"


def test_choosing_the_growth_rate_method_regrades_with_it() -> None:
    app = _open()
    app.sidebar.radio[0].set_value("cagr").run()
    assert "評価方法: 成長率法（Open SDG 方式）" in app.caption[0].value
    assert (
        _tables(app, "指標")[0].set_index("指標").loc["1-④", "状況"] == "▲ 遅れ（誤差を考えると ✕ 悪化 の可能性あり）"
    )


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
    history = _tables(app, "変化の判定")[0]
    assert history["年度"].iloc[-1] == "令和6(2024)年度"
    assert history.iloc[-1][["前年度からの変化", "変化の判定"]].tolist() == ["−4.9pt", "誤差を超える"]


def test_choosing_another_indicator_updates_the_url_for_sharing() -> None:
    app = _open("pages/indicator.py")
    app.selectbox[-1].select("1-②").run()
    assert app.query_params["indicator"] == "1-②"
    assert app.subheader[0].value.startswith("1-②")


def test_citizen_indicator_shows_age_and_area_breakdowns_marking_groups_behind() -> None:
    app = _open("pages/indicator.py", indicator="1-①")
    choice = app.button_group(key="dimension-1-①")
    assert choice.options == ["年代", "地域"]
    [ages] = _tables(app, "遅れの判定")
    choice.set_value("地域").run()
    [areas] = _tables(app, "遅れの判定")
    assert ages["区分"].tolist() == ["10代", "20代", "30代", "40代", "50代", "60代", "70歳以上"]
    assert ages.set_index("区分").loc["10代", "状況"] == "参考値（n が少ないため判定しません）"  # n = 38
    assert areas.set_index("区分").loc["牧の台", "遅れの判定"].startswith("これまでの傾向では令和7(2025)年度に 49.3%")
    assert "補正（Benjamini–Hochberg 法）" in _texts(app)


def test_method_page_explains_the_rule_an_example_and_the_linked_indicators_status() -> None:
    app = _open("pages/method.py", indicator="1-③")
    assert app.info[0].value == (
        "1-③ の令和6(2024)年度の値は 42.3% で、目標達成ペース 44.0% との差は −1.7pt、進み具合は計画の 81% です。"
        "差が誤差（2.8pt）の範囲なので、○ 順調（誤差を考えると △ やや遅れ、▲ 遅れ の可能性あり） としています。"
    )
    assert [header.value for header in app.subheader] == [
        "この指標の状況の理由",
        "進み具合",
        "誤差の考え方",
        "年代・地域の区分",
        "現在のデータでの例（1-③）",
    ]
    assert "判定のしかた: 誤差を考慮した評価。" in _texts(app)


def test_every_status_on_the_overview_links_to_its_explanation() -> None:
    app = _open()
    links = [link for link in app.get("page_link") if "評価方法" in link.proto.label]
    assert len(links) == len([m for m in app.markdown if m.value.startswith("**") and "　" in m.value]) + 1


def test_plan_page_shows_the_tree_and_the_draft_comparison() -> None:
    app = _open("pages/plan_structure.py")
    assert [tab.label for tab in app.tabs] == ["現行の体系", "案の比較"]
    assert [len(table) for table in page_tables(app)] == [6, 2, 3]
    assert len(app.table) == 0
    assert "② 自治会への加入促進" not in _texts(app)
    assert "⑨ 自治会への加入促進、役員の役割の効率化の事例の紹介" in _texts(app)
    comparison = app.get("html")[-1].proto.body
    assert "自治会への加入促進<ins>、役員の役割の効率化の事例の紹介</ins>" in comparison
    assert "11月13日送付 → 11月30日現在: 8 件の変更" in _texts(app)


def test_indicator_page_shows_commentary_and_lets_only_a_signed_in_editor_write_it(database_url: str) -> None:
    app = _open("pages/indicator.py", indicator="1-②")
    assert "**所見（令和6(2024)年度）**" in _texts(app)
    assert not app.text_area
    assert app.expander[0].label == "所見を書く（編集者のみ）"

    app.session_state["signed_in_user"] = User(name="企画課 田中", role=EDITOR)
    app.run()
    app.text_area[0].input("広報紙の配布方法を見直した。")  # a form sends its values with the submit
    app.button(key="FormSubmitter:commentary-1-②-2024-所見を保存").click().run()
    assert not app.exception
    assert [text.value for text in app.text] == ["広報紙の配布方法を見直した。"]
    assert any(success.value == "所見を保存しました。" for success in app.success)
    saved = store.read_commentary(store.open_store(database_url), 2024)
    assert saved[["indicator_code", "written_by"]].values.tolist() == [["1-②", "企画課 田中"]]


def test_reports_page_reports_the_sidebars_year_with_scope_format_and_one_download_button() -> None:
    app = _open("pages/reports.py")
    # One year for every page, the sidebar's: the page has no year selector of its own.
    assert [radio.label for radio in app.main.radio] == ["範囲", "形式"]
    assert "報告する年度: 令和6(2024)年度" in _texts(app)
    assert app.radio[-2].options == [
        "計画全体",
        "要注意の指標のみ",
        *(f"基本方針{code}のみ" for code in "123"),
        *(f"基本施策{code}のみ" for code in ("1.1", "1.2", "2.1", "2.2", "3.1")),
    ]
    assert app.caption[1].value.startswith("11 指標 ・ 評価方法: 直線法")
    assert "施策評価シート: 5 件" in app.caption[1].value
    app.radio[-2].set_value("flagged").run()
    assert app.caption[1].value.startswith("5 指標 ・ 評価方法: 直線法")
    app.radio[-2].set_value("2.1").run()
    assert app.caption[1].value.startswith("2 指標 ・ 評価方法: 直線法")
    assert "施策評価シート: 1 件" in app.caption[1].value
    buttons = app.get("download_button")
    assert len(buttons) == 1
    assert buttons[0].proto.label == "報告書をダウンロード"


def _html(app: AppTest) -> str:
    return "\n".join(element.proto.body for element in app.get("html"))


def test_presentation_steps_through_the_report_slides() -> None:
    app = _open("pages/presentation.py")
    assert "<h1>川西市参画と協働のまちづくり推進計画</h1>" in _html(app)
    assert "1 / 21" in _texts(app)
    assert app.button(key="slide_back").disabled
    app.button(key="slide_forward").click().run()
    assert "2 / 21" in _texts(app)
    assert "<h2>全体の状況</h2>" in _html(app)
    assert "<h3>要注意の指標（5）</h3>" in _html(app)
    for _ in range(6):
        app.button(key="slide_forward").click().run()
    assert "8 / 21" in _texts(app)
    assert len(app.get("plotly_chart")) == 1
    app.button(key="slide_back").click().run()
    assert "7 / 21" in _texts(app)
    app.button(key="slide_last").click().run()
    assert "21 / 21" in _texts(app)
    assert app.button(key="slide_forward").disabled
    app.button(key="slide_first").click().run()
    assert "1 / 21" in _texts(app)


def test_a_partly_uploaded_new_year_does_not_take_over_the_overview(real_engine, tmp_path: Path) -> None:
    staff_only = tmp_path / "staff_2025.csv"
    staff_only.write_text("年度,指標,値,回答者数\n2025,3-①,67.0,650\n2025,3-②,45.0,650\n", encoding="utf-8")
    import_files(real_engine, read_files([staff_only]), "山田")
    app = _open()
    assert app.sidebar.selectbox[0].value == 2024
    assert app.caption[0].value.startswith("令和6(2024)年度の調査結果")
    assert app.info[0].value.startswith("令和7(2025)年度（2指標）の値も登録されていますが")
    app.sidebar.selectbox[0].select(2025).run()
    assert app.caption[0].value.startswith("令和7(2025)年度の調査結果")


@pytest.mark.parametrize(
    "page",
    [
        page
        for page in PAGES
        if page not in {"pages/upload.py", "pages/plan_structure.py", "pages/accounts.py", "pages/plan_admin.py"}
    ],
)
def test_pages_point_to_the_upload_page_once_the_sample_data_is_undone(page: str, database_url: str) -> None:
    store.undo_batch(prepare_store(database_url), 1, "山田")
    _assert_points_to_upload(page)


def test_pages_point_to_the_upload_page_while_only_breakdowns_are_stored(database_url: str) -> None:
    # Real 年代/地域 values without an overall value give no year to evaluate: a pointer, not a traceback.
    engine = prepare_store(database_url)
    store.undo_batch(engine, 1, "山田")
    breakdown = pd.DataFrame(
        {
            "indicator_code": ["1-①"],
            "fiscal_year": [2025],
            "dimension": ["地域"],
            "category": ["加茂"],
            "value": [44.3],
            "respondents": pd.array([112], dtype="Int64"),
            "note": [""],
            "sample": [False],
        }
    )
    store.record_batch(engine, breakdown, [store.SourceFile.from_bytes("r7.xlsx", b"r7", 1)], "山田")
    for page in ("pages/overview.py", "pages/indicator.py", "pages/reports.py"):
        _assert_points_to_upload(page)


def _assert_points_to_upload(page: str) -> None:
    app = _open(page)
    assert not app.exception
    assert [info.value for info in app.info] == [
        "計画の指標の調査結果（全体の値）がまだ登録されていません。「データ取込」のページから取り込んでください。"
    ]


def _warnings(page: str | None = None) -> list[str]:
    return [warning.value for warning in _open(page).warning]


def test_the_sample_notice_names_exactly_what_is_still_fictional(real_engine) -> None:
    assert _warnings() == ["サンプル（架空）データ: 基準値・目標値（11指標）がサンプルです。実際の値ではありません。"]
    plan = store.read_plans(real_engine)[-1]
    live = dataclasses.replace(plan, sha256="live", indicators=plan.indicators.assign(sample=False))
    store.sync_plans(real_engine, [live])
    assert _warnings() == []


def test_the_demo_store_says_both_plan_values_and_results_are_fictional() -> None:
    assert _warnings("pages/trends.py") == [
        "サンプル（架空）データ: 基準値・目標値（11指標）がサンプルです。"
        "調査結果（2015〜2024年度）がサンプルです。実際の値ではありません。"
    ]


def test_plan_page_compares_any_two_revisions_including_edited_values(engine) -> None:
    plan = store.read_plans(engine)[-1]
    values = _edit_values(plan, "1-①", target_value=60.0)
    save_revision(engine, plan, revise_indicator(plan, "1-①", values), "管理太郎", "確定値", SAVED)
    app = _open("pages/plan_structure.py")
    assert [box.value for box in app.selectbox] == [1, 3]
    app.selectbox[0].select(2).run()
    assert "11月30日現在 → 2026年5月10日改定: 1 件の変更。" in _texts(app)
    assert app.table[-1].value.values.tolist() == [["1-①", "目標値", "55", "60"]]
    app.selectbox[0].select(3).run()
    assert [info.value for info in app.info] == ["違いはありません。"]


def test_a_past_year_is_evaluated_with_the_current_plan_or_the_plan_of_the_time(engine) -> None:
    plan = store.read_plans(engine)[-1]
    values = _edit_values(plan, "1-①", target_value=80.0)
    save_revision(engine, plan, revise_indicator(plan, "1-①", values), "管理太郎", "目標の引き上げ", SAVED)
    app = _open()
    assert app.sidebar.toggle[0].label == "当時の計画で評価"
    assert "評価に使う計画: 2026年5月10日改定（版 3）" in _sidebar_captions(app)
    then = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    then.session_state["plan_then"] = True
    then.run()
    assert not then.exception
    assert "評価に使う計画: 11月30日現在（版 2）" in _sidebar_captions(then)

    detail = _open("pages/indicator.py", indicator="1-①")
    assert "- 目標値: 80.0%（令和7(2025)年度）" in _texts(detail)
    detail.session_state["plan_then"] = True
    detail.run()
    assert "- 目標値: 55.0%（令和7(2025)年度）" in _texts(detail)


def _sidebar_captions(app: AppTest) -> list[str]:
    return [caption.value for caption in app.sidebar.caption]


def _edit_values(plan, code: str, **changes: object) -> dict:
    row = plan.indicators.set_index("code").loc[code]
    return {spec.column: row[spec.column] for spec in PLAN_FIELDS} | changes


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": "2020", "method": "cagr"}, "令和2(2020)年度の調査結果 ・ 評価方法: 成長率法（Open SDG 方式）"),
        ({"year": "2022"}, "令和4(2022)年度の調査結果 ・ 評価方法: 直線法"),
    ],
)
def test_a_link_with_year_and_method_opens_that_view_and_keeps_them_in_the_url(query: dict, expected: str) -> None:
    app = _open(**query)
    assert app.caption[0].value.startswith(expected)
    assert {key: app.query_params[key] for key in query} == query


@pytest.mark.parametrize(
    ("page", "query", "message"),
    [
        (None, {"year": "1999"}, "リンクの年度「1999」は見つかりません。選べる年度: 2024（令和6(2024)年度）"),
        (None, {"method": "median"}, "リンクの評価方法「median」は見つかりません。選べる評価方法: linear（直線法）"),
        ("pages/indicator.py", {"indicator": "9-①"}, "リンクの指標「9-①」は見つかりません。選べる指標: 1-①、1-②"),
        ("pages/trends.py", {"policy": "7"}, "リンクの基本方針「7」は見つかりません。選べる基本方針: 1、2、3"),
    ],
)
def test_an_unknown_code_in_a_link_is_said_with_the_valid_ones(page: str | None, query: dict, message: str) -> None:
    app = _open(page, **query)
    assert not app.exception
    assert any(warning.value.startswith(message) for warning in app.warning), [w.value for w in app.warning]


def test_an_unknown_indicator_shows_no_other_indicator_but_offers_the_list() -> None:
    app = _open("pages/indicator.py", indicator="9-①")
    assert app.selectbox[-1].value is None
    assert len(app.selectbox[-1].options) == 11
    assert not app.subheader


def test_a_link_to_a_policy_opens_that_policy() -> None:
    app = _open("pages/trends.py", policy="3")
    assert app.header[0].value == "基本方針3"
    assert app.query_params["policy"] == "3"


def test_at_the_baseline_year_indicators_read_as_baseline_not_as_missing_data() -> None:
    app = _open(year="2015")
    statuses = _tables(app, "指標")[0].set_index("指標")
    assert statuses.loc["1-①", ["状況", "値"]].tolist() == ["基準年度（評価前）", "42.0% ±2.8pt（n=1,225）"]
    assert "－ データなし" not in statuses["状況"].tolist()
    # No tiles or chart counting every indicator as データなし beside that table.
    assert [info.value for info in app.info] == [
        "平成27(2015)年度は基準年度のため、進捗の評価はまだありません。各指標の値は下の表のとおりです。"
    ]
    assert not app.get("plotly_chart")
