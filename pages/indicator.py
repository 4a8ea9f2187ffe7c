"""指標詳細: everything about one indicator; chosen from the selector or the URL (?indicator=1-①)."""

import streamlit as st

from analytics import vocabulary as v
from analytics.chart_data import describe_trend, tabulate_breakdown, tabulate_trend
from analytics.method import describe_breakdown_rule, explain_status
from analytics.presentation import (
    describe_definition,
    describe_departments,
    describe_observation,
    format_value,
    list_indicator_facts,
    order_breakdowns,
    status_badge,
    tabulate_breakdowns,
    tabulate_history,
)
from ui.commentary import show_commentary
from ui.context import (
    read_breakdown_figure,
    read_current_plan,
    read_evaluation,
    read_settings,
    read_trend_figure,
    show_header,
    take_from_url,
    write_to_url,
)
from ui.help import link_to_method
from ui.layout import show_chart, show_table

_CHOICE = "indicator_choice"

show_header("指標詳細")
plan = read_current_plan()
result = read_evaluation()
names = dict(zip(plan.indicators["code"], plan.indicators["name"], strict=True))

# The URL wins when it names an indicator, so a shared link (?indicator=1-①) opens that one; an
# unknown code is said and the selector offers the list instead of silently showing another one.
known = take_from_url("indicator", _CHOICE, {c: c for c in names}, "指標", list(names))
if not known:
    st.session_state[_CHOICE] = None
code = st.selectbox(
    "指標",
    list(names),
    format_func=lambda c: f"{c}　{names[c]}",
    key=_CHOICE,
    placeholder="指標を選んでください",
)
if code is None:
    st.stop()
write_to_url("indicator", code)
indicator = result.indicators.set_index("code", drop=False).loc[code]
planned = plan.indicators.set_index("code", drop=False).loc[code]
policy = plan.policies.set_index("code").loc[indicator["policy_code"], "name"]
defined = plan.indicators.set_index("code").loc[code]
department = describe_departments(defined)

st.subheader(f"{code}　{indicator['name']}")
left, right = st.columns([2, 1])
facts = [(f"{plan.level(v.POLICY)}{indicator['policy_code']}", policy), *list_indicator_facts(planned)]
left.markdown(
    "\n".join(f"- {label}: {text}" for label, text in facts)
    + f"\n- 単位: {indicator['unit']}{'' if indicator['higher_is_better'] else '（低いほど良い）'}\n"
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
show_chart(
    read_trend_figure(code),
    tabulate_trend(history, indicator),
    subject=code,
    year=result.year,
    key="trend",
    alt=describe_trend(history, indicator),
)
st.markdown("**年度別の値**")
show_table(tabulate_history(history, int(indicator["baseline_year"])), key="history")

cells = order_breakdowns(result.breakdowns_of(code))
if not cells.empty:
    year = int(cells["year"].max())
    st.markdown(f"**区分別（{v.format_fiscal_year(year)}）**")
    dimensions = list(cells["dimension"].unique())
    # One dimension at a time: tabs would build and send every dimension's chart and table on each rerun.
    dimension = st.segmented_control("区分", dimensions, default=dimensions[0], required=True, key=f"dimension-{code}")
    group = cells[cells["dimension"] == dimension]
    show_chart(
        read_breakdown_figure(code, dimension),
        tabulate_breakdown(group, indicator),
        subject=f"{code}_{dimension}別",
        year=year,
        key="breakdown",
        alt=f"{code}の{dimension}別の値（{v.format_fiscal_year(year)}）。数値はグラフの下の表にあります。",
    )
    show_table(tabulate_breakdowns(group), key="breakdown")
    st.caption("".join(describe_breakdown_rule(read_settings())))
