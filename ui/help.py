"""The help link every status carries: to the 評価方法 page, opened on one indicator's explanation."""

import streamlit as st

METHOD_PAGE = "pages/method.py"


def link_to_method(code: str | None = None) -> None:
    """A link that explains how statuses are decided (and, given a code, that indicator's status)."""
    st.page_link(
        METHOD_PAGE,
        label="状況の決め方（評価方法）" if code is None else f"{code} の状況の理由（評価方法）",
        icon=":material/help:",
        query_params=None if code is None else {"indicator": code},
    )
