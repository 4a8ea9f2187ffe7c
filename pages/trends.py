"""基本方針別トレンド: one policy at a time, its indicators as small multiples and what the city is doing."""

import streamlit as st

from analytics.chart_data import describe_trend, tabulate_trend
from analytics.presentation import describe_observation, outline_policy, status_badge
from ui.context import read_current_plan, read_evaluation, read_trend_figure, show_header, take_from_url, write_to_url
from ui.layout import show_chart

COLUMNS = 3

show_header("基本方針別トレンド")
plan = read_current_plan()
result = read_evaluation()
st.caption(
    "点線は基準値から目標値への計画線、帯は95%信頼区間（標本誤差）です。"
    "縦軸は値・基準値・目標値が収まる範囲で、0から始まらないときはグラフの左上に書いています。"
)

policies = plan.policies.set_index("code")["name"]
st.session_state.setdefault("trend_policy", policies.index[0])
take_from_url("policy", "trend_policy", {c: c for c in policies.index}, "基本方針", list(policies.index))
code = st.segmented_control(
    "基本方針",
    list(policies.index),
    format_func=lambda code: f"基本方針{code}",
    required=True,
    key="trend_policy",
    persist_state="session",
)
write_to_url("policy", code)
st.header(f"基本方針{code}", divider="gray")
st.markdown(f"**{policies[code]}**")
indicators = result.indicators[result.indicators["policy_code"] == code]
for start in range(0, len(indicators), COLUMNS):
    row = indicators.iloc[start : start + COLUMNS]
    for column_number, (column, (_, indicator)) in enumerate(zip(st.columns(COLUMNS), row.iterrows(), strict=False)):
        with column:
            st.markdown(f"**{indicator['code']}　{status_badge(indicator['status'])}**  \n{indicator['name']}")
            st.caption(describe_observation(indicator))
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
with st.expander("この基本方針の基本施策・施策の方向・取組項目", expanded=True):
    st.markdown(outline_policy(plan, code))
