"""計画の管理 under AppTest: the history for everyone, the form only for a 管理者; edit, save, restore."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.accounts import ADMIN, EDITOR, create_user

PAGE = Path(__file__).resolve().parent.parent / "pages" / "plan_admin.py"


@pytest.fixture(autouse=True)
def _store_with_accounts(monkeypatch: pytest.MonkeyPatch, database_url: str, empty_engine) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    create_user(empty_engine, "管理太郎", "correct horse", ADMIN)
    create_user(empty_engine, "山田", "correct horse", EDITOR)


def _signed_in(name: str) -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=30).run()
    app.text_input[0].input(name)
    app.text_input[1].input("correct horse")
    app.button[0].click()
    return app.run()


def _history(app: AppTest) -> list[list]:
    return app.dataframe[0].value[["版", "保存者", "理由"]].values.tolist()


def _field(app: AppTest, label: str):
    return next(widget for widget in [*app.number_input, *app.text_input] if widget.label == label)


def test_an_editor_sees_the_history_but_not_the_form() -> None:
    app = _signed_in("山田")
    assert not app.exception
    assert _history(app) == [[2, "（計画ファイル 2_1130.yaml）", ""], [1, "（計画ファイル 1_1113.yaml）", ""]]
    assert [info.value for info in app.info] == ["計画の変更には、管理者としてのログインが必要です。"]
    assert len(app.number_input) == 0
    assert "新しい版として保存" not in [button.label for button in app.button]


def test_an_admin_edits_saves_sees_the_revision_and_restores(empty_engine) -> None:
    app = _signed_in("管理太郎")
    assert [box.value for box in app.selectbox][:1] == ["1-①"]
    _field(app, "目標値").set_value(60.0)
    _field(app, "目標年度").set_value(2030)
    _field(app, "変更の理由（必須。履歴に残ります）").input("第2期計画の確定値")
    next(button for button in app.button if button.label == "新しい版として保存").click()
    app.run()
    assert not app.error
    assert app.success[0].value == "版 3 として保存しました。これからの評価はこの版を使います。"
    assert _history(app)[0] == [3, "管理太郎", "第2期計画の確定値"]
    edited = store.read_plans(empty_engine)[-1].indicators.set_index("code").loc["1-①"]
    assert (edited["target_year"], edited["target_value"], edited["sample"]) == (2030, 60.0, False)

    app.selectbox[-1].select(2).run()
    next(button for button in app.button if button.label == "この版に戻す").click()
    app.run()
    assert app.success[0].value == "版 2 の内容を版 4 として保存しました。"
    assert _history(app)[0] == [4, "管理太郎", "（版 2 に戻す）"]
    restored = store.read_plans(empty_engine)[-1].indicators.set_index("code").loc["1-①"]
    assert (restored["target_year"], restored["target_value"]) == (2025, 55.0)


def test_a_target_equal_to_the_baseline_is_refused_and_nothing_saved(empty_engine) -> None:
    app = _signed_in("管理太郎")
    _field(app, "目標値").set_value(42.0)
    _field(app, "変更の理由（必須。履歴に残ります）").input("誤り")
    next(button for button in app.button if button.label == "新しい版として保存").click()
    app.run()
    assert [error.value for error in app.error] == [
        "指標「1-①」の基準値と目標値が同じ（42）では進捗を測れません。どちらかを直してください。"
    ]
    assert len(store.read_plans(empty_engine)) == 2


def test_an_admin_sets_yearly_targets_in_the_indicator_form(empty_engine) -> None:
    app = _signed_in("管理太郎")
    assert app.data_editor[0].value.empty
    app.session_state["targets-2-1-①"] = {
        "edited_rows": {},
        "added_rows": [{"年度": 2020, "年次目標": 46.0}, {"年度": 2022, "年次目標": 49.0}],
        "deleted_rows": [],
    }
    _field(app, "変更の理由（必須。履歴に残ります）").input("年次目標の設定")
    next(button for button in app.button if button.label == "新しい版として保存").click()
    app.run()
    assert not app.error
    assert app.success[0].value == "版 3 として保存しました。これからの評価はこの版を使います。"
    assert store.read_plans(empty_engine)[-1].yearly_targets.values.tolist() == [
        ["1-①", 2020, 46.0],
        ["1-①", 2022, 49.0],
    ]
    assert app.data_editor[0].value.values.tolist() == [[2020, 46.0], [2022, 49.0]]


def test_an_admin_changes_an_actions_department(empty_engine) -> None:
    app = _signed_in("管理太郎")
    next(box for box in app.selectbox if box.label == "取組項目").select("1-②").run()
    next(widget for widget in app.text_input if widget.label == "取組項目の担当課").input("参画協働課")
    next(widget for widget in app.text_input if widget.key == "department-reason").input("所管替え")
    next(button for button in app.button if button.label == "担当課を新しい版として保存").click()
    app.run()
    assert not app.error
    assert app.success[0].value == "版 3 として保存しました。"
    nodes = store.read_plans(empty_engine)[-1].nodes.set_index(["kind", "code"])
    assert nodes.loc[("action", "1-②"), "lead_department"] == "参画協働課"
