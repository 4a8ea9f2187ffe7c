"""アカウント管理: a 管理者 adds, disables and resets the local accounts and sets their 担当課; everyone else sees a sign-in."""

import streamlit as st

from analytics import store
from analytics.accounts import (
    ROLE_LABELS,
    ROLES,
    AccountError,
    create_user,
    reset_password,
    set_departments,
    set_disabled,
    tabulate_accounts,
)
from analytics.actions.survey import list_plan_departments
from ui.auth import require_admin
from ui.context import get_engine, read_current_plan, show_header

show_header("アカウント管理")
engine = get_engine()
if message := st.session_state.pop("accounts_done", None):
    st.success(message, icon=":material/check_circle:")
admin = require_admin("アカウントの管理")
st.caption("閲覧: だれでも　編集者: 調査結果の取込と所見　管理者: 計画とアカウントの管理（編集者の操作もできます）")


def _done(action, message: str) -> None:
    """Run one change; say what happened, or why it could not be done."""
    try:
        action()
    except (AccountError, store.StoreError) as error:
        st.error(str(error), icon=":material/error:")
        return
    st.session_state["accounts_done"] = message
    st.rerun()


accounts = tabulate_accounts(engine)
st.dataframe(accounts, hide_index=True, width="stretch")
departments = list_plan_departments(read_current_plan())
department_help = (
    "編集者が入力・取込できる取組を、この担当課のものに限ります。空欄なら全ての取組です（管理者は常に全て）。"
)

st.subheader("アカウントを追加する")
with st.form("add_account", clear_on_submit=True):
    name = st.text_input("ユーザー名", help="取込や計画の変更の履歴に記録される名前です。")
    role = st.selectbox("役割", ROLES, format_func=ROLE_LABELS.get)
    chosen_departments = st.multiselect("担当課", departments, accept_new_options=True, help=department_help)
    password = st.text_input("パスワード（8文字以上）", type="password")
    again = st.text_input("パスワード（確認のためもう一度）", type="password")
    if st.form_submit_button("追加する", type="primary"):
        if password != again:
            st.error("パスワードが一致しません。同じものを2回入力してください。", icon=":material/error:")
        else:
            _done(
                lambda: create_user(engine, name, password, role, chosen_departments),
                f"「{name.strip()}」（{ROLE_LABELS[role]}）を追加しました。",
            )

if not accounts.empty:
    st.subheader("無効にする・パスワードを再設定する")
    chosen = st.selectbox("アカウント", accounts["ユーザー名"], index=None, placeholder="選んでください")
    if chosen is not None:
        disabled = accounts.set_index("ユーザー名").loc[chosen, "状態"] == "無効"
        if disabled and st.button("有効に戻す"):
            _done(lambda: set_disabled(engine, chosen, False), f"「{chosen}」を有効に戻しました。")
        if not disabled and st.button("無効にする", disabled=chosen == admin.name, help="自分自身は無効にできません。"):
            _done(lambda: set_disabled(engine, chosen, True), f"「{chosen}」を無効にしました（ログインできません）。")
        with st.form(f"departments-{chosen}"):
            held = store.read_user(engine, chosen)["departments"]
            new_departments = st.multiselect(
                "担当課",
                sorted({*departments, *held}),
                default=list(held),
                accept_new_options=True,
                help=department_help,
                key=f"departments-{chosen}-choice",
            )
            if st.form_submit_button("担当課を変更する"):
                _done(
                    lambda: set_departments(engine, chosen, new_departments),
                    f"「{chosen}」の担当課を変更しました（次のログインから有効です）。",
                )
        with st.form("reset_password", clear_on_submit=True):
            new = st.text_input("新しいパスワード（8文字以上）", type="password")
            if st.form_submit_button("パスワードを再設定する"):
                _done(
                    lambda: reset_password(engine, chosen, new),
                    f"「{chosen}」のパスワードを再設定しました。本人に安全な方法で伝えてください。",
                )
