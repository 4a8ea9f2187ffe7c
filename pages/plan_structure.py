"""計画体系: the current plan as a tree, and what changed between the two drafts."""

import streamlit as st

from analytics import vocabulary as v
from analytics.plan import compare_plans
from analytics.plan_admin import compare_plan_values, describe_revision
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
        st.subheader(f"{plan.level(v.POLICY)}{policy['code']}　{policy['name']}")
        st.markdown(f"**{plan.level(v.INDICATOR)}**")
        show_table(tabulate_indicators(plan, policy["code"]), key=f"indicators-{policy['code']}")
        with st.expander(plan.sublevels, expanded=True):
            st.markdown(outline_policy(plan, policy["code"]))

with revisions:
    by_revision = {p.revision: p for p in plans}
    left, right = st.columns(2)
    old, new = (
        by_revision[
            column.selectbox(
                label,
                list(by_revision),
                index=index,
                format_func=lambda r: describe_revision(by_revision[r]),
                key=f"compare_{index}",
            )
        ]
        for column, label, index in ((left, "比べる版（前）", 0), (right, "比べる版（後）", len(plans) - 1))
    )
    old_label, new_label = old.label, new.label
    changes = compare_plans(old, new)
    values = compare_plan_values(old, new)
    st.caption(
        f"{old_label} → {new_label}: {len(changes) + len(values)} 件の変更。"
        "削除された文字は取り消し線、加わった文字は下線で示します。"
    )
    if changes.empty and values.empty:
        st.info("違いはありません。")
    if not changes.empty:
        st.html(render_plan_changes(changes, old_label, new_label, new.levels))
    if not values.empty:
        st.markdown("**基準値・目標値・年次目標・担当課などの変更**")
        st.table(values, hide_index=True)
