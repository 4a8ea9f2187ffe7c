"""What every page shares: the cached store, cached reads keyed on the data version, the sidebar and header."""

from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation, evaluate_plan
from analytics.bootstrap import prepare_store
from analytics.charts import plot_indicator_trend
from analytics.evaluation_settings import Settings, SettingsError, load_settings
from analytics.plan import Plan
from analytics.progress import TargetError

YEAR_KEY = "year"
METHOD_KEY = "method"
_TOKYO = ZoneInfo("Asia/Tokyo")


@st.cache_resource(show_spinner="データベースを準備しています…")
def get_engine() -> Engine:
    return prepare_store()


@st.cache_data(show_spinner=False)
def _read_plans(_engine: Engine, version: tuple[int, int]) -> list[Plan]:
    return store.read_plans(_engine)


@st.cache_data(show_spinner=False)
def _read_observations(_engine: Engine, version: tuple[int, int]) -> pd.DataFrame:
    return store.read_observations(_engine)


@st.cache_data(show_spinner="評価しています…")
def _evaluate(
    _engine: Engine, version: tuple[int, int], settings: Settings, year: int | None, method: str
) -> PlanEvaluation:
    return evaluate_plan(
        _read_plans(_engine, version)[-1].indicators, _read_observations(_engine, version), settings, year, method
    )


# Figures are built once per data version, year, method and indicator and then shared as they are:
# building one validates every property (~15 ms), while sending it is cheap. cache_resource
# hands back the same object (cache_data would unpickle, and so re-validate, on every hit);
# pages only read figures, never change them.
@st.cache_resource(max_entries=4096, show_spinner=False)
def _trend_figure(
    _engine: Engine,
    version: tuple[int, int],
    settings: Settings,
    year: int | None,
    method: str,
    code: str,
    compact: bool,
) -> go.Figure:
    result = _evaluate(_engine, version, settings, year, method)
    indicator = result.indicators.set_index("code", drop=False).loc[code]
    return plot_indicator_trend(result.history_of(code), indicator, compact=compact)


def read_plans() -> list[Plan]:
    engine = get_engine()
    return _read_plans(engine, store.read_data_version(engine))


def read_current_plan() -> Plan:
    return read_plans()[-1]


def read_observations() -> pd.DataFrame:
    engine = get_engine()
    return _read_observations(engine, store.read_data_version(engine))


def read_settings() -> Settings:
    """The city's evaluation settings; a malformed settings file stops the page with its message."""
    try:
        return load_settings()
    except SettingsError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()


def _chosen() -> tuple[Engine, tuple[int, int], Settings, int | None, str]:
    """The cache key of everything evaluated: store, data version, settings, sidebar year and method."""
    engine = get_engine()
    settings = read_settings()
    method = st.session_state.get(METHOD_KEY) or settings.method
    return engine, store.read_data_version(engine), settings, st.session_state.get(YEAR_KEY), method


def read_evaluation() -> PlanEvaluation:
    """The plan evaluated for the year and method chosen in the sidebar (cached per data version)."""
    try:
        return _evaluate(*_chosen())
    except TargetError as error:
        st.error(f"計画の基準値・目標値に誤りがあるため評価できません。{error}", icon=":material/error:")
        st.stop()


def read_trend_figure(code: str, *, compact: bool = False) -> go.Figure:
    """The indicator's trend chart for the chosen year and method, built once and then reused."""
    return _trend_figure(*_chosen(), code, compact)


def describe_last_update() -> str:
    updated = store.read_last_update(get_engine())
    return "—" if updated is None else updated.astimezone(_TOKYO).strftime("%Y年%-m月%-d日 %H:%M")


def show_header(title: str) -> None:
    """Page title plus the sample-data notice whenever any shown value is fictional."""
    st.title(title)
    plan_is_sample = bool(read_current_plan().indicators["sample"].any())
    if plan_is_sample or bool(read_observations()["sample"].any()):
        st.warning(f"サンプル（架空）データ: {v.SAMPLE_NOTICE}", icon=":material/science:")


def show_sidebar() -> None:
    """Year and method for every page, and where the data lives."""
    observations = read_observations()
    years = sorted(observations.loc[observations["dimension"] == v.OVERALL, "fiscal_year"].unique(), reverse=True)
    settings = read_settings()
    with st.sidebar:
        st.selectbox("評価する年度", years, format_func=v.format_fiscal_year, key=YEAR_KEY)
        st.radio(
            "評価方法",
            v.METHODS,
            index=v.METHODS.index(settings.method),
            format_func=v.METHOD_LABELS.get,
            key=METHOD_KEY,
            help="直線法: 基準値から目標値への直線と比べる。成長率法: 実際の年平均成長率を目標に必要な成長率と比べる（Open SDG 方式）。",
        )
        st.divider()
        st.caption(f"データベース: {store.describe_location(get_engine())}")
        st.caption(f"最終更新: {describe_last_update()}")
