"""計画体系: the current plan as a tree, each 基本方針 with its indicators, baselines and targets."""

import streamlit as st

from analytics.presentation import outline_policy, tabulate_indicators
from ui.context import read_current_plan, show_header

show_header("計画体系")
plan = read_current_plan()
st.caption(f"{plan.title}（{plan.label}）")

for _, policy in plan.policies.iterrows():
    st.subheader(f"基本方針{policy['code']}　{policy['name']}")
    st.markdown("**施策評価指標**")
    st.table(tabulate_indicators(plan, policy["code"]), hide_index=True)
    with st.expander("基本施策・施策の方向・取組項目", expanded=True):
        st.markdown(outline_policy(plan, policy["code"]))
