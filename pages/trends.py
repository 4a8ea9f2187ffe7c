"""Trends per policy (基本方針別トレンド): one policy at a time, its indicators as small multiples and what the city is doing."""

import streamlit as st

from analytics import vocabulary as v
from analytics.chart_data import describe_trend, tabulate_trend
from analytics.presentation import describe_observation, describe_status
from ui.context import (
    read_current_plan,
    read_evaluation,
    read_policy_outline,
    read_trend_figure,
    show_header,
    take_from_url,
    write_to_url,
)
from ui.help import link_to_method
from ui.layout import choose_page, show_chart

COLUMNS = 3
# Two rows of three: every chart sent is drawn on each switch, so a page stays as quick as the
# sample plan's largest 基本方針 (6 indicators) however large the plan.
CHARTS_PER_PAGE = 6

plan = read_current_plan()
policy_level = plan.level(v.POLICY)
show_header(f"{policy_level}別トレンド")
result = read_evaluation()
st.caption(
    "点線は基準値から目標値への計画線、帯は95%信頼区間（標本誤差）です。"
    "縦軸は値・基準値・目標値が収まる範囲で、0から始まらないときはグラフの左上に書いています。"
)

policies = plan.policies.set_index("code")["name"]
st.session_state.setdefault("trend_policy", policies.index[0])
take_from_url("policy", "trend_policy", {c: c for c in policies.index}, policy_level, list(policies.index))
code = st.segmented_control(
    policy_level,
    list(policies.index),
    format_func=lambda code: f"{policy_level}{code}",
    required=True,
    key="trend_policy",
    persist_state="session",
)
write_to_url("policy", code)
st.header(f"{policy_level}{code}", divider="gray")
st.markdown(f"**{policies[code]}**")
indicators = result.indicators[result.indicators["policy_code"] == code]
# A page of charts at a time: the browser draws every chart sent, and a large plan has dozens per policy.
indicators = indicators.iloc[choose_page(len(indicators), key=f"trends-{code}", per_page=CHARTS_PER_PAGE, unit="件")]
for start in range(0, len(indicators), COLUMNS):
    row = indicators.iloc[start : start + COLUMNS]
    for column_number, (column, (_, indicator)) in enumerate(zip(st.columns(COLUMNS), row.iterrows(), strict=False)):
        with column:
            status = describe_status(indicator["status"], indicator["status_range"])
            st.markdown(f"**{indicator['code']}　{status}**  \n{indicator['name']}")
            # A status below 順調 always shows its reason next to it (one element: each is drawn).
            st.caption(
                "  \n".join([describe_observation(indicator), *(f"⚑ {reason}" for reason in indicator["reasons"])])
            )
            history = result.history_of(indicator["code"])
            show_chart(
                read_trend_figure(indicator["code"], compact=True),
                tabulate_trend(history, indicator),
                subject=indicator["code"],
                year=result.year,
                key=f"trend-{start}-{column_number}",
                alt=describe_trend(history, indicator),
            )
            st.page_link(
                "pages/indicator.py",
                label="詳細",
                icon=":material/query_stats:",
                query_params={"indicator": indicator["code"]},
            )
            link_to_method(indicator["code"])
with st.expander(f"この{policy_level}の{plan.sublevels}", expanded=True):
    st.markdown(read_policy_outline(code))
