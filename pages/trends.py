"""Trends per policy (基本方針別トレンド): one policy at a time, its indicators as small multiples and what the city is doing."""

import streamlit as st

from analytics import vocabulary as v
from analytics.charts import chart_config
from analytics.presentation import describe_observation, describe_status, outline_policy
from ui.context import read_current_plan, read_evaluation, read_trend_figure, show_header
from ui.help import link_to_method

COLUMNS = 3

plan = read_current_plan()
policy_level = plan.level(v.POLICY)
show_header(f"{policy_level}別トレンド")
result = read_evaluation()
st.caption("点線は基準値から目標値への計画線、帯は95%信頼区間（標本誤差）です。縦軸は割合なら0〜100%（拡大可）。")

policies = plan.policies.set_index("code")["name"]
code = st.segmented_control(
    policy_level,
    list(policies.index),
    format_func=lambda code: f"{policy_level}{code}",
    default=policies.index[0],
    required=True,
    key="trend_policy",
    persist_state="session",
)
st.header(f"{policy_level}{code}", divider="gray")
st.markdown(f"**{policies[code]}**")
indicators = result.indicators[result.indicators["policy_code"] == code]
for start in range(0, len(indicators), COLUMNS):
    row = indicators.iloc[start : start + COLUMNS]
    for column, (_, indicator) in zip(st.columns(COLUMNS), row.iterrows(), strict=False):
        with column:
            status = describe_status(indicator["status"], indicator["status_range"])
            st.markdown(f"**{indicator['code']}　{status}**  \n{indicator['name']}")
            st.caption(describe_observation(indicator))
            # A status below 順調 always shows its reason next to it.
            for reason in indicator["reasons"]:
                st.caption(f"⚑ {reason}")
            st.plotly_chart(
                read_trend_figure(indicator["code"], compact=True),
                config=chart_config(f"trend_{indicator['code']}"),
                key=f"trend-{indicator['code']}",
            )
            st.page_link(
                "pages/indicator.py",
                label="詳細",
                icon=":material/query_stats:",
                query_params={"indicator": indicator["code"]},
            )
            link_to_method(indicator["code"])
with st.expander(f"この{policy_level}の{plan.sublevels}", expanded=True):
    st.markdown(outline_policy(plan, code))
