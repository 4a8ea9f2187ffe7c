"""What every page shares: the cached store, cached reads keyed on the data version, and the header."""

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.bootstrap import prepare_store
from analytics.plan import Plan


@st.cache_resource(show_spinner="データベースを準備しています…")
def get_engine() -> Engine:
    return prepare_store()


@st.cache_data(show_spinner=False)
def _read_plans(_engine: Engine, version: tuple[int, int]) -> list[Plan]:
    return store.read_plans(_engine)


@st.cache_data(show_spinner=False)
def _read_observations(_engine: Engine, version: tuple[int, int]) -> pd.DataFrame:
    return store.read_observations(_engine)


def read_plans() -> list[Plan]:
    engine = get_engine()
    return _read_plans(engine, store.read_data_version(engine))


def read_current_plan() -> Plan:
    return read_plans()[-1]


def read_observations() -> pd.DataFrame:
    engine = get_engine()
    return _read_observations(engine, store.read_data_version(engine))


def show_header(title: str) -> None:
    """Page title plus the sample-data notice whenever any shown value is fictional."""
    st.title(title)
    plan_is_sample = bool(read_current_plan().indicators["sample"].any())
    if plan_is_sample or bool(read_observations()["sample"].any()):
        st.warning(f"サンプル（架空）データ: {v.SAMPLE_NOTICE}", icon=":material/science:")


def show_sidebar() -> None:
    with st.sidebar:
        st.caption(f"データベース: {store.describe_location(get_engine())}")
