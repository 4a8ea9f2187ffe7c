"""アカウント管理 under AppTest: only a 管理者 sees the forms; add, disable, reset; throttled sign-in."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.accounts import ADMIN, EDITOR, SessionFailures, SignInError, create_user, sign_in

PAGE = Path(__file__).resolve().parent.parent / "pages" / "accounts.py"


@pytest.fixture(autouse=True)
def _store_with_accounts(monkeypatch: pytest.MonkeyPatch, database_url: str, empty_engine) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    create_user(empty_engine, "管理太郎", "correct horse", ADMIN)
    create_user(empty_engine, "山田", "correct horse", EDITOR)


def _signed_in(name: str, password: str = "correct horse") -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=30).run()
    app.text_input[0].input(name)
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def _click(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label == label).click()
    return app.run()


def test_an_editor_sees_no_account_forms() -> None:
    app = _signed_in("山田")
    assert not app.exception
    assert [info.value for info in app.info] == ["アカウントの管理には、管理者としてのログインが必要です。"]
    assert len(app.dataframe) == 0
    assert "追加する" not in [button.label for button in app.button]


def test_a_wrong_password_says_what_to_do_in_words_a_manager_understands() -> None:
    app = _signed_in("管理太郎", "wrong horse")
    assert [error.value for error in app.error] == [
        "ユーザー名かパスワードが違います。分からない場合は、管理者にパスワードの再設定を依頼してください。"
    ]


def test_after_repeated_failures_the_page_says_how_long_to_wait(empty_engine) -> None:
    for _ in range(10):
        store.record_sign_in_failure(empty_engine, "管理太郎", datetime.now(UTC))
    app = _signed_in("管理太郎")
    assert app.error[0].value.startswith("ログインの失敗が続いたため、")
    assert app.error[0].value.endswith("秒待ってからもう一度お試しください。")
    assert len(app.dataframe) == 0


def test_an_admin_adds_disables_and_resets_accounts(empty_engine) -> None:
    app = _signed_in("管理太郎")
    assert app.dataframe[0].value[["ユーザー名", "役割", "状態"]].values.tolist() == [
        ["山田", "編集者", "有効"],
        ["管理太郎", "管理者", "有効"],
    ]
    form = [widget for widget in app.text_input if widget.label != "新しいパスワード（8文字以上）"]
    form[0].input("佐藤")
    form[1].input("battery staple")
    form[2].input("battery staple")
    app = _click(app, "追加する")
    assert app.success[0].value == "「佐藤」（編集者）を追加しました。"
    assert sign_in(empty_engine, "佐藤", "battery staple", SessionFailures()).role == EDITOR

    app.selectbox[1].select("山田").run()
    app = _click(app, "無効にする")
    assert app.success[0].value == "「山田」を無効にしました（ログインできません）。"
    with pytest.raises(SignInError, match="無効にされています"):
        sign_in(empty_engine, "山田", "correct horse", SessionFailures())

    app.selectbox[1].select("佐藤").run()
    app.text_input[-1].input("new password 1")
    app = _click(app, "パスワードを再設定する")
    assert app.success[0].value == "「佐藤」のパスワードを再設定しました。本人に安全な方法で伝えてください。"
    assert sign_in(empty_engine, "佐藤", "new password 1", SessionFailures()).name == "佐藤"


def test_an_admin_gives_an_editor_departments(empty_engine) -> None:
    app = _signed_in("管理太郎")
    app.selectbox[1].select("山田").run()
    next(box for box in app.multiselect if box.key == "departments-山田-choice").set_value(["広報課", "市民課"])
    app = _click(app, "担当課を変更する")
    assert app.success[0].value == "「山田」の担当課を変更しました（次のログインから有効です）。"
    assert app.dataframe[0].value[["ユーザー名", "担当課"]].values.tolist() == [
        ["山田", "広報課、市民課"],
        ["管理太郎", "（すべて）"],
    ]
    assert sign_in(empty_engine, "山田", "correct horse", SessionFailures()).departments == ("広報課", "市民課")
