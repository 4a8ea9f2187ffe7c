"""Who may write: a signed-in editor, by local account or, where secrets configure it, the city's OIDC sign-in."""

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from analytics.accounts import EDITOR, User, authenticate
from ui.context import get_engine

_USER_KEY = "signed_in_user"


def _oidc_settings() -> dict | None:
    """The [auth] section of secrets.toml when the city signs in through its identity provider."""
    try:
        return dict(st.secrets["auth"]) if "auth" in st.secrets else None
    except StreamlitSecretNotFoundError:
        return None


def _oidc_editors() -> list[str] | None:
    # Optional [dashboard] editors = ["a@city.example"]; without it every signed-in person may edit,
    # and the identity provider decides who can sign in to this app at all.
    try:
        return st.secrets.get("dashboard", {}).get("editors")
    except StreamlitSecretNotFoundError:
        return None


def current_editor() -> User | None:
    """The signed-in editor, or None; viewing needs no sign-in, uploading and undoing need this."""
    if _oidc_settings() is not None:
        if not st.user.is_logged_in:
            return None
        name = st.user.get("email") or st.user.get("name") or ""
        editors = _oidc_editors()
        return User(name=name, role=EDITOR) if name and (editors is None or name in editors) else None
    user = st.session_state.get(_USER_KEY)
    return user if isinstance(user, User) and user.is_editor else None


def show_sign_in() -> None:
    """The identity provider's sign-in button, or the form for a local account."""
    if _oidc_settings() is not None:
        if st.user.is_logged_in:
            st.warning(
                f"{st.user.get('email') or st.user.get('name')} さんには取込の権限がありません。"
                "管理者に編集者への追加を依頼してください。"
            )
            st.button("ログアウト", on_click=st.logout)
        else:
            st.button("ログイン（市のアカウント）", on_click=st.login, type="primary")
        return
    with st.form("sign_in"):
        name = st.text_input("ユーザー名")
        password = st.text_input("パスワード", type="password")
        if st.form_submit_button("ログイン", type="primary"):
            user = authenticate(get_engine(), name, password)
            if user is None or not user.is_editor:
                st.error(
                    "ユーザー名かパスワードが違います。アカウントは管理者が "
                    "`python -m analytics user add 名前 --role editor` で作成します。"
                )
            else:
                st.session_state[_USER_KEY] = user
                st.rerun()


def show_signed_in(user: User) -> None:
    """Who is signed in, and a way out."""
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(f"{user.name} さん（編集者）としてログインしています。取込の履歴にこの名前が記録されます。")
    if _oidc_settings() is not None:
        right.button("ログアウト", on_click=st.logout)
    elif right.button("ログアウト"):
        del st.session_state[_USER_KEY]
        st.rerun()
