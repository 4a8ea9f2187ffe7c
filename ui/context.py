"""What every page shares: the cached store, cached reads keyed on the data version, the sidebar and header."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation, count_indicators_by_year, default_year
from analytics.bootstrap import prepare_store
from analytics.charts import plot_breakdown, plot_indicator_trend, plot_status_counts
from analytics.evaluation_cache import evaluate_stored_plan
from analytics.evaluation_settings import SETTINGS_PATH, Settings, SettingsError, load_settings
from analytics.failures import explain_failure
from analytics.plan import Plan
from analytics.plan_admin import describe_revision, plan_in_force
from analytics.presentation import order_breakdowns, outline_policy
from analytics.progress import TargetError
from analytics.sample_data import describe_sample

YEAR_KEY = "year"
METHOD_KEY = "method"
PLAN_THEN_KEY = "plan_then"
_WRITTEN = "url_written"  # what this session last put in the URL, per query parameter
_TOKYO = ZoneInfo("Asia/Tokyo")


def show_failure(error: Exception) -> None:
    """The failure's one sentence in an error box; its traceback goes to the server log only."""
    st.error(explain_failure(error), icon=":material/error:")


@contextmanager
def failures_shown() -> Iterator[None]:
    """Run page code; any failure (a store, plan file, disk or bug) stops the page with its sentence
    instead of a traceback. Streamlit's stop and rerun pass through: they are not Exceptions."""
    try:
        yield
    except Exception as error:
        show_failure(error)
        st.stop()


@st.cache_resource(show_spinner="データベースを準備しています…")
def get_engine() -> Engine:
    return prepare_store()


def _read_version() -> tuple[Engine, tuple[int, int]]:
    """The store and its data version: the cache key of every read."""
    engine = get_engine()
    return engine, store.read_data_version(engine)


# Reads and evaluations are kept per data version and shared by every session as they are:
# cache_data would unpickle a fresh copy on every call (30 ms for the evaluation at 100× the data,
# several calls a rerun). Pages and analytics only read them (analytics returns new frames).
@st.cache_resource(max_entries=8, show_spinner=False)
def _read_plans(_engine: Engine, version: tuple[int, int]) -> list[Plan]:
    return store.read_plans(_engine)


@st.cache_resource(max_entries=8, show_spinner=False)
def _read_observations(_engine: Engine, version: tuple[int, int]) -> pd.DataFrame:
    return store.read_observations(_engine)


@st.cache_resource(max_entries=8, show_spinner=False)
def _read_revisions(_engine: Engine, version: tuple[int, int]) -> pd.DataFrame:
    return store.read_plan_revisions(_engine)


@st.cache_resource(max_entries=64, show_spinner="評価しています…")
def _evaluate(
    _engine: Engine, version: tuple[int, int], settings: Settings, year: int | None, method: str, revision: int
) -> PlanEvaluation:
    plan = next(p for p in _read_plans(_engine, version) if p.revision == revision)
    return evaluate_stored_plan(_engine, plan, settings, year, method)


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
    revision: int,
    code: str,
    compact: bool,
) -> go.Figure:
    result = _evaluate(_engine, version, settings, year, method, revision)
    indicator = result.indicators.set_index("code", drop=False).loc[code]
    return plot_indicator_trend(result.history_of(code), indicator, compact=compact)


def read_plans() -> list[Plan]:
    return _read_plans(*_read_version())


def read_current_plan() -> Plan:
    return read_plans()[-1]


def read_evaluated_plan(year: int | None = None) -> Plan:
    """The plan revision a year is evaluated against: the current one, or with 「当時の計画で評価」
    the one in force at the end of that year (default: the sidebar's year)."""
    plans = read_plans()
    if not st.session_state.get(PLAN_THEN_KEY):
        return plans[-1]
    year = st.session_state.get(YEAR_KEY) if year is None else year
    year = default_year(plans[-1].indicators, read_observations()) if year is None else year
    if year is None:  # no results yet: nothing is evaluated
        return plans[-1]
    return plan_in_force(plans, _read_revisions(*_read_version()), int(year))


def read_observations() -> pd.DataFrame:
    return _read_observations(*_read_version())


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_settings(stamp: tuple[int, int] | None) -> Settings:
    return load_settings(SETTINGS_PATH)


def _stamp(path: Path) -> tuple[int, int] | None:
    """When the file was last written and its size (None when it cannot be read): an edited file
    has a new stamp, so the settings are read again, and otherwise read once, not on every call."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def read_settings() -> Settings:
    """The city's evaluation settings; a malformed settings file stops the page with its message."""
    try:
        return _load_settings(_stamp(SETTINGS_PATH))
    except SettingsError as error:
        st.error(str(error), icon=":material/error:")
        st.stop()


def _chosen(year: int | None = None) -> tuple[Engine, tuple[int, int], Settings, int | None, str, int]:
    """The cache key of everything evaluated: store, data version, settings, year (default: the
    sidebar's), the sidebar's method and the plan revision evaluated against."""
    settings = read_settings()
    method = st.session_state.get(METHOD_KEY) or settings.method
    year = st.session_state.get(YEAR_KEY) if year is None else year
    revision = read_evaluated_plan(year).revision
    return *_read_version(), settings, year, method, revision


def read_evaluation(year: int | None = None) -> PlanEvaluation:
    """The plan evaluated for the sidebar's method and year, or `year` (cached per data version).

    With no overall value of any indicator stored (say, after the sample data was undone, or when only
    年代/地域 breakdowns were loaded), the page stops with a pointer to the upload page instead of an
    evaluation without a year.
    """
    if not read_years():
        st.info(
            "計画の指標の調査結果（全体の値）がまだ登録されていません。「データ取込」のページから取り込んでください。",
            icon=":material/info:",
        )
        st.stop()
    try:
        return _evaluate(*_chosen(year))
    except TargetError as error:
        st.error(f"計画の基準値・目標値に誤りがあるため評価できません。{error}", icon=":material/error:")
        st.stop()


def read_trend_figure(code: str, *, compact: bool = False) -> go.Figure:
    """The indicator's trend chart for the chosen year and method, built once and then reused."""
    return _trend_figure(*_chosen(), code, compact)


@st.cache_resource(max_entries=4096, show_spinner=False)
def _breakdown_figure(
    _engine: Engine,
    version: tuple[int, int],
    settings: Settings,
    year: int | None,
    method: str,
    revision: int,
    code: str,
    dimension: str,
) -> go.Figure:
    result = _evaluate(_engine, version, settings, year, method, revision)
    cells = order_breakdowns(result.breakdowns_of(code))
    indicator = result.indicators.set_index("code", drop=False).loc[code]
    return plot_breakdown(cells[cells["dimension"] == dimension], indicator)


@st.cache_resource(max_entries=256, show_spinner=False)
def _status_figure(
    _engine: Engine, version: tuple[int, int], settings: Settings, year: int | None, method: str, revision: int
) -> go.Figure:
    result = _evaluate(_engine, version, settings, year, method, revision)
    plan = _read_plans(_engine, version)[-1]
    return plot_status_counts(result.summary, label_policies(plan))


def read_status_figure() -> go.Figure:
    """The status counts per 基本方針 for the chosen year and method, built once and then reused."""
    return _status_figure(*_chosen())


@st.cache_resource(max_entries=64, show_spinner=False)
def _outline_policy(_engine: Engine, version: tuple[int, int], code: str) -> str:
    return outline_policy(_read_plans(_engine, version)[-1], code)


def read_policy_outline(code: str) -> str:
    """The current plan's tree under one 基本方針 (Markdown), built once per data version."""
    return _outline_policy(*_read_version(), code)


def label_policies(plan: Plan) -> dict[str, str]:
    """Each 基本方針 code with the plan's own word for the level (基本方針1), as charts and tables name them."""
    return {code: f"{plan.level(v.POLICY)}{code}" for code in plan.policies["code"]}


def read_breakdown_figure(code: str, dimension: str) -> go.Figure:
    """The indicator's chart of one breakdown dimension (年代, 地域), built once per evaluation and then reused."""
    return _breakdown_figure(*_chosen(), code, dimension)


@st.cache_resource(max_entries=8, show_spinner=False)
def _read_last_update(_engine: Engine, version: tuple[int, int]) -> datetime | None:
    return store.read_last_update(_engine)


def describe_last_update() -> str:
    updated = _read_last_update(*_read_version())
    return "—" if updated is None else updated.astimezone(_TOKYO).strftime("%Y年%-m月%-d日 %H:%M")


@st.cache_resource(max_entries=8, show_spinner=False)
def _count_years(_engine: Engine, version: tuple[int, int]) -> tuple[list[int], int | None]:
    indicators, observations = _read_plans(_engine, version)[-1].indicators, _read_observations(_engine, version)
    years = [int(year) for year in count_indicators_by_year(indicators, observations).index]
    return years, default_year(indicators, observations)


def read_years() -> list[int]:
    """Fiscal years with any overall value, newest first: the years that can be evaluated.

    Counted once per data version: the sidebar asks on every rerun of every page."""
    return _count_years(*_read_version())[0]


def _read_default_year() -> int | None:
    return _count_years(*_read_version())[1]


def read_commentary(year: int) -> pd.DataFrame:
    """The current 所見 of every indicator for `year`; read fresh, as an editor may just have saved one."""
    return store.read_commentary(get_engine(), year)


def is_sample() -> bool:
    """Whether any value shown (plan baseline or target, or survey result) is fictional sample data."""
    return bool(describe_sample(read_evaluated_plan().indicators, read_observations()))


def show_sample_notice() -> None:
    """The sample-data notice naming exactly what is still fictional; none once nothing shown is."""
    if parts := describe_sample(read_evaluated_plan().indicators, read_observations()):
        st.warning(f"サンプル（架空）データ: {'。'.join(parts)}。実際の値ではありません。", icon=":material/science:")


def show_header(title: str) -> None:
    """Page title plus the sample-data notice whenever any shown value is fictional."""
    st.title(title)
    show_sample_notice()


def show_sidebar() -> None:
    """Year and method for every page, taken from the URL when a shared link names them, and written back to it."""
    years, default = read_years(), _read_default_year()
    settings = read_settings()
    # The defaults go into the widget state rather than index=, so that a link's choice can replace them.
    st.session_state.setdefault(YEAR_KEY, default if default in years else None)
    st.session_state.setdefault(METHOD_KEY, settings.method)
    take_from_url(
        "year", YEAR_KEY, {str(y): y for y in years}, "年度", [f"{y}（{v.format_fiscal_year(y)}）" for y in years]
    )
    methods = [f"{m}（{v.METHOD_LABELS[m]}）" for m in v.METHODS]
    take_from_url("method", METHOD_KEY, {m: m for m in v.METHODS}, "評価方法", methods)
    with st.sidebar:
        year = st.selectbox(
            "評価する年度",
            years,
            format_func=v.format_fiscal_year,
            key=YEAR_KEY,
            placeholder="調査結果がまだありません",
        )
        method = st.radio(
            "評価方法",
            v.METHODS,
            format_func=v.METHOD_LABELS.get,
            key=METHOD_KEY,
            help="直線法: 基準値から目標値への直線と比べる。成長率法: 実際の年平均成長率を目標に必要な成長率と比べる（Open SDG 方式）。",
        )
        st.toggle(
            "当時の計画で評価",
            key=PLAN_THEN_KEY,
            help="オフ: どの年度も現行の計画（基準値・目標値）で評価します。"
            "オン: 選んだ年度を、その年度末に有効だった計画の版で評価します。",
        )
        st.caption(f"評価に使う計画: {describe_revision(read_evaluated_plan())}")
        st.divider()
        st.caption(f"最終更新: {describe_last_update()}")
    if year is not None:
        write_to_url("year", year)
    write_to_url("method", method)


def take_from_url(param: str, key: str, choices: dict[str, object], what: str, listed: list[str]) -> bool:
    """Put the URL's `param` into widget state `key` when the URL changed it; False for an unknown code.

    A shared link opened first thereby shows what its sender saw. The URL only wins when it differs
    from what this session last wrote there, so a choice just made in the widget is not undone by
    the old URL. An unknown code is said, with the list of valid ones, never silently replaced.
    """
    given = st.query_params.get(param)
    if given is None or given == st.session_state.get(_WRITTEN, {}).get(param):
        return True
    if given in choices:
        st.session_state[key] = choices[given]
        return True
    st.warning(
        f"リンクの{what}「{given}」は見つかりません。選べる{what}: {'、'.join(listed)}", icon=":material/link_off:"
    )
    del st.query_params[param]
    return False


def write_to_url(param: str, value: object) -> None:
    """Keep the view's choice in the URL, so that a copied link reproduces it."""
    st.query_params[param] = str(value)
    st.session_state.setdefault(_WRITTEN, {})[param] = str(value)
