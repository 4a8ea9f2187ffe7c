"""指標詳細: everything about one indicator; chosen from the selector or the URL (?indicator=1-①)."""

import streamlit as st

from analytics import vocabulary as v
from analytics.charts import chart_config, plot_breakdown
from analytics.method import describe_breakdown_rule, explain_status
from analytics.presentation import (
    describe_definition,
    describe_departments,
    describe_observation,
    format_value,
    order_breakdowns,
    status_badge,
    tabulate_breakdowns,
    tabulate_history,
)
from ui.commentary import show_commentary
from ui.context import read_current_plan, read_evaluation, read_settings, read_trend_figure, show_header
from ui.help import link_to_method

show_header("指標詳細")
plan = read_current_plan()
result = read_evaluation()
names = dict(zip(plan.indicators["code"], plan.indicators["name"], strict=True))


def _write_choice_to_url() -> None:
    st.query_params["indicator"] = st.session_state["indicator_choice"]


# The URL wins when it names an indicator, so a shared link (?indicator=1-①) opens that one.
if st.query_params.get("indicator") in names:
    st.session_state["indicator_choice"] = st.query_params["indicator"]
code = st.selectbox(
    "指標",
    list(names),
    format_func=lambda c: f"{c}　{names[c]}",
    key="indicator_choice",
    on_change=_write_choice_to_url,
)
st.query_params["indicator"] = code
indicator = result.indicators.set_index("code").loc[code]
policy = plan.policies.set_index("code").loc[indicator["policy_code"], "name"]
defined = plan.indicators.set_index("code").loc[code]
department = describe_departments(defined)

st.subheader(f"{code}　{indicator['name']}")
left, right = st.columns([2, 1])
left.markdown(
    f"- {plan.level(v.POLICY)}{indicator['policy_code']}: {policy}\n"
    f"- 回答者: {indicator['respondent']}　単位: {indicator['unit']}"
    f"{'' if indicator['higher_is_better'] else '（低いほど良い）'}\n"
    f"- 基準値: {format_value(indicator['baseline_value'], indicator['unit'])}（{v.format_fiscal_year(int(indicator['baseline_year']))}）\n"
    f"- 目標値: {format_value(indicator['target_value'], indicator['unit'])}（{v.format_fiscal_year(int(indicator['target_year']))}）"
    + (f"\n- 担当課: {department}" if department else "")
)
if definition := describe_definition(defined):
    left.markdown("**指標の定義**\n" + "".join(f"\n- {line}" for line in definition))
right.metric(
    status_badge(indicator["status"]),
    format_value(indicator["value"], indicator["unit"]),
    help=explain_status(result.indicators.set_index("code", drop=False).loc[code], read_settings(), result.method),
)
right.caption(describe_observation(indicator))
with right:
    link_to_method(code)
for reason in indicator["reasons"]:
    st.warning(reason, icon=":material/flag:")
for note in indicator["notes"]:
    st.info(note, icon=":material/info:")
show_commentary(code, result.year)

history = result.history_of(code)
st.plotly_chart(read_trend_figure(code), config=chart_config(f"indicator_{code}"), key="trend")
st.markdown("**年度別の値**")
st.table(tabulate_history(history, int(indicator["baseline_year"])), hide_index=True)

cells = order_breakdowns(result.breakdowns_of(code))
if not cells.empty:
    st.markdown(f"**区分別（{v.format_fiscal_year(int(cells['year'].max()))}）**")
    dimensions = list(cells["dimension"].unique())
    for tab, dimension in zip(st.tabs(dimensions), dimensions, strict=True):
        with tab:
            group = cells[cells["dimension"] == dimension]
            st.plotly_chart(
                plot_breakdown(group, indicator),
                config=chart_config(f"breakdown_{code}_{dimension}"),
                key=f"breakdown-{dimension}",
            )
            st.table(tabulate_breakdowns(group), hide_index=True)
    st.caption("".join(describe_breakdown_rule(read_settings())))
