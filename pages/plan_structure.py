"""計画体系: the current plan as a tree, and what changed between the two drafts."""

import streamlit as st

from analytics.plan import compare_plans
from analytics.presentation import outline_policy, render_plan_changes, tabulate_indicators
from ui.context import read_plans, show_header
from ui.layout import show_table

show_header("計画体系")
plans = read_plans()
plan = plans[-1]
tree, revisions = st.tabs(["現行の体系", "案の比較"])

with tree:
    st.caption(f"{plan.title}（{plan.label}）")
    for _, policy in plan.policies.iterrows():
        st.subheader(f"基本方針{policy['code']}　{policy['name']}")
        st.markdown("**施策評価指標**")
        show_table(tabulate_indicators(plan, policy["code"]), key=f"indicators-{policy['code']}")
        with st.expander("基本施策・施策の方向・取組項目", expanded=True):
            st.markdown(outline_policy(plan, policy["code"]))

with revisions:
    labels = [p.label for p in plans]
    old_label, new_label = st.select_slider("比べる案", options=labels, value=(labels[0], labels[-1]))
    old, new = (next(p for p in plans if p.label == label) for label in (old_label, new_label))
    changes = compare_plans(old, new)
    st.caption(
        f"{old_label} → {new_label}: {len(changes)} 件の変更。削除された文字は取り消し線、加わった文字は下線で示します。"
    )
    if changes.empty:
        st.info("違いはありません。")
    else:
        st.html(render_plan_changes(changes, old_label, new_label))
