"""基本方針別トレンド: each policy's indicators as small multiples, with what the city is doing about them."""

import streamlit as st

from analytics.charts import chart_config, plot_indicator_trend
from analytics.presentation import describe_observation, outline_policy, status_badge
from ui.context import read_current_plan, read_evaluation, show_header

COLUMNS = 3

show_header("基本方針別トレンド")
plan = read_current_plan()
result = read_evaluation()
st.caption("点線は基準値から目標値への計画線、帯は95%信頼区間（標本誤差）です。縦軸は割合なら0〜100%（拡大可）。")

for _, policy in plan.policies.iterrows():
    st.header(f"基本方針{policy['code']}", divider="gray")
    st.markdown(f"**{policy['name']}**")
    indicators = result.indicators[result.indicators["policy_code"] == policy["code"]]
    for start in range(0, len(indicators), COLUMNS):
        for column, (_, indicator) in zip(
            st.columns(COLUMNS), indicators.iloc[start : start + COLUMNS].iterrows(), strict=False
        ):
            with column:
                st.markdown(f"**{indicator['code']}　{status_badge(indicator['status'])}**  \n{indicator['name']}")
                st.caption(describe_observation(indicator))
                history = result.history_of(indicator["code"])
                st.plotly_chart(
                    plot_indicator_trend(history, indicator, compact=True),
                    config=chart_config(f"trend_{indicator['code']}"),
                    key=f"trend-{indicator['code']}",
                )
                st.page_link(
                    "pages/indicator.py",
                    label="詳細",
                    icon=":material/query_stats:",
                    query_params={"indicator": indicator["code"]},
                )
    with st.expander("基本施策・施策の方向・取組項目"):
        st.markdown(outline_policy(plan, policy["code"]))
