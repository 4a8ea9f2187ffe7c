"""Who may write: a signed-in 編集者 or 管理者, by local account or, where secrets configure it, the city's OIDC sign-in."""

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from analytics.accounts import (
    ROLE_LABELS,
    SessionFailures,
    SignInError,
    User,
    departments_for_identity,
    role_for_identity,
    sign_in,
)
from ui.context import get_engine

_USER_KEY = "signed_in_user"
_FAILURES_KEY = "sign_in_failures"


def _oidc_settings() -> dict | None:
    """The [auth] section of secrets.toml when the city signs in through its identity provider."""
    try:
        return dict(st.secrets["auth"]) if "auth" in st.secrets else None
    except StreamlitSecretNotFoundError:
        return None


def _dashboard_settings() -> dict:
    # Optional [dashboard] roles / editors: which verified addresses may edit or administer.
    try:
        return dict(st.secrets.get("dashboard", {}))
    except StreamlitSecretNotFoundError:
        return {}


def current_user() -> User | None:
    """The signed-in 編集者 or 管理者, or None; viewing needs no sign-in."""
    if _oidc_settings() is not None:
        if not st.user.is_logged_in:
            return None
        settings = _dashboard_settings()
        role = role_for_identity(settings, st.user)
        departments = departments_for_identity(settings, st.user)
        return User(name=str(st.user.get("email")), role=role, departments=departments) if role else None
    user = st.session_state.get(_USER_KEY)
    return user if isinstance(user, User) else None


def current_editor() -> User | None:
    """The signed-in person if they may change survey data and 所見 (編集者 or 管理者)."""
    user = current_user()
    return user if user is not None and user.is_editor else None


def current_admin() -> User | None:
    """The signed-in person if they may change the plan and the accounts (管理者)."""
    user = current_user()
    return user if user is not None and user.is_admin else None


def require_admin(purpose: str) -> User:
    """The signed-in 管理者; anyone else sees why (`purpose`, e.g. 「計画の変更」), the sign-in form, and no more."""
    admin = current_admin()
    if admin is None:
        st.info(f"{purpose}には、管理者としてのログインが必要です。", icon=":material/lock:")
        show_sign_in("admin")
        st.stop()
    show_signed_in(admin)
    return admin


def show_sign_in(role: str = "editor") -> None:
    """The identity provider's sign-in button, or the form for a local account (throttled)."""
    if _oidc_settings() is not None:
        if st.user.is_logged_in:
            st.warning(
                f"{st.user.get('email') or st.user.get('name')} さんには{ROLE_LABELS[role]}の権限がありません。"
                f"管理者に{ROLE_LABELS[role]}への追加を依頼してください。"
            )
            st.button("ログアウト", on_click=st.logout)
        else:
            st.button("ログイン（市のアカウント）", on_click=st.login, type="primary")
        return
    with st.form("sign_in"):
        name = st.text_input("ユーザー名")
        password = st.text_input("パスワード", type="password")
        if st.form_submit_button("ログイン", type="primary"):
            failures = st.session_state.setdefault(_FAILURES_KEY, SessionFailures())
            try:
                user = sign_in(get_engine(), name, password, failures)
            except SignInError as error:
                st.error(str(error), icon=":material/lock:")
                return
            st.session_state[_USER_KEY] = user
            st.rerun()


def show_signed_in(user: User) -> None:
    """Who is signed in, and a way out."""
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(f"{user.name} さん（{user.role_label}）としてログインしています。変更の履歴にこの名前が記録されます。")
    if _oidc_settings() is not None:
        right.button("ログアウト", on_click=st.logout)
    elif right.button("ログアウト"):
        del st.session_state[_USER_KEY]
        st.rerun()
