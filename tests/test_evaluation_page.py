"""施策評価 under AppTest: the 取組 table and checklist for everyone, entry for an 編集者, 二次評価 for a 管理者."""

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from page_tables import page_tables
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.accounts import ADMIN, EDITOR, create_user
from analytics.plan_admin import revise_action_department, save_revision

PAGE = Path(__file__).resolve().parent.parent / "pages" / "evaluation.py"


@pytest.fixture(autouse=True)
def _store_with_accounts(monkeypatch: pytest.MonkeyPatch, database_url: str, engine: Engine) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    create_user(engine, "管理太郎", "correct horse", ADMIN)
    create_user(engine, "山田", "correct horse", EDITOR)
    report = {"action_code": "1-①", "fiscal_year": 2024, "status": "✕ 未実施", "result": "", "sessions": None}
    extra = {"participants": None, "issues": "予算不足", "direction": "改善", "department": "担当課未設定"}
    store.write_action_reports(engine, pd.DataFrame([report | extra]), "山田")


def _signed_in(name: str) -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=60).run()
    app.text_input[0].input(name)
    app.text_input[1].input("correct horse")
    next(button for button in app.button if button.label == "ログイン").click()
    return app.run()


def _select(app: AppTest, label: str, value: object) -> None:
    next(box for box in app.selectbox if box.label == label).select(value)


def test_everyone_sees_each_action_status_and_the_unreported_checklist() -> None:
    app = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not app.exception
    _select(app, "年度", 2024)
    app.run()
    actions = page_tables(app)[0]
    assert actions[["コード", "実施状況", "課題", "今後の方向性"]].head(2).values.tolist() == [
        ["1-①", "✕ 未実施", "予算不足", "改善"],
        ["1-②", "未報告", "", ""],
    ]
    missing = page_tables(app)[2]
    assert len(missing) == 20
    assert "1-①" not in missing["コード"].tolist()


def test_an_editor_saves_a_report_as_a_new_version(engine: Engine) -> None:
    app = _signed_in("山田")
    assert not app.exception
    _select(app, "年度", 2024)
    app.run()
    _select(app, "実施状況", "○ 計画どおり")
    next(area for area in app.text_area if area.label == "実績").input("ホームページを改修した")
    next(button for button in app.button if button.label == "保存する").click()
    app.run()
    assert not app.exception
    saved = store.read_action_reports(engine).set_index("action_code").loc["1-①"]
    assert (saved["status"], saved["result"], saved["entered_by"]) == ("○ 計画どおり", "ホームページを改修した", "山田")
    assert page_tables(app)[0].loc[0, "実施状況"] == "○ 計画どおり"


def test_an_admin_records_a_secondary_grade_beside_the_suggestion() -> None:
    app = _signed_in("管理太郎")
    _select(app, "年度", 2024)
    app.run()
    next(radio for radio in app.radio if radio.label == "二次評価").set_value("A")
    next(area for area in app.text_area if area.label == "コメント").input("委員会の判断")
    next(button for button in app.button if button.label == "二次評価を記録する").click()
    app.run()
    assert not app.exception
    grades = page_tables(app)[3].set_index("コード")
    assert grades.loc["1.1", ["二次評価", "二次評価のコメント"]].tolist() == ["A 順調", "委員会の判断"]
    assert grades.loc["1.1", "一次評価（提案）"] != "A 順調"
    assert grades.loc["1.1", "差"] == "一次評価と異なる"


def test_the_withdrawal_of_the_sample_reports_is_a_step_an_editor_can_undo(engine: Engine) -> None:
    app = _signed_in("山田")
    history = next(table for table in page_tables(app) if "内容" in table.columns)
    assert history[["取込", "取込者", "内容"]].values.tolist() == [["1", "山田", "サンプルデータの取り下げ"]]
    _select(app, "取り消す取込", 1)
    next(button for button in app.button if button.label == "取り消す").click()
    app.run()
    assert not app.exception
    assert store.read_action_reports(engine)["sample"].sum() == 63 - 1  # the real 1-① FY2024 report is newer


def _entry_choices(app: AppTest) -> list[str]:
    return [option.split(" ")[0] for option in next(box for box in app.selectbox if box.label == "取組項目").options]


def test_an_editor_with_a_department_enters_only_its_actions(engine: Engine) -> None:
    plan = store.read_plans(engine)[-1]
    nodes = revise_action_department(plan, "1-②", "広報課")
    save_revision(engine, plan, plan.indicators, "管理太郎", "所管の設定", nodes=nodes)
    create_user(engine, "佐藤", "correct horse", EDITOR, ["広報課"])
    assert len(_entry_choices(_signed_in("山田"))) == 12
    app = _signed_in("佐藤")
    assert _entry_choices(app) == ["1-②"]
    assert "広報課の取組項目を入力できます。" in [caption.value for caption in app.caption]
    _select(app, plan.level("policy"), "2")
    app.run()
    assert [info.value for info in app.info] == ["この基本方針には、入力できる取組項目がありません。"]
    assert next(button for button in app.button if button.label == "保存する").disabled
