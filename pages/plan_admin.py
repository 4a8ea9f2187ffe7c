"""計画の管理: a 管理者 edits an indicator (values and 年次目標) or a 取組's 担当課 as a new plan revision, or restores one."""

import pandas as pd
import streamlit as st

from analytics import store
from analytics.plan_admin import (
    CHOICE,
    COUNT,
    NUMBER,
    PLAN_FIELDS,
    YEAR,
    PlanField,
    PlanRevisionError,
    restore_revision,
    revise_action_department,
    revise_indicator,
    revise_yearly_targets,
    save_revision,
    tabulate_revisions,
)
from analytics.vocabulary import ACTION, YEARLY_TARGET
from ui.auth import require_admin
from ui.context import get_engine, read_plans, show_header

show_header("計画の管理")
engine = get_engine()
if message := st.session_state.pop("plan_saved", None):
    st.success(message, icon=":material/check_circle:")
st.markdown(
    "施策評価指標の基準値・目標値などを変更します。保存するたびに計画の新しい版ができ、"
    "だれが・いつ・なぜ変えたかが残ります。前の版に戻すこともできます。"
)
st.subheader("改定の履歴")
st.dataframe(tabulate_revisions(store.read_plan_revisions(engine)), hide_index=True, width="stretch")

admin = require_admin("計画の変更")
plans = read_plans()
plan = plans[-1]


def _input(spec: PlanField, value: object, key: str) -> object:
    """One widget per kind of field, so that PLAN_FIELDS alone decides what the form holds."""
    if spec.kind == YEAR:
        return st.number_input(spec.label, min_value=1989, max_value=2100, value=int(value), step=1, key=key)
    if spec.kind == NUMBER:
        return st.number_input(spec.label, value=float(value), format="%g", key=key)
    if spec.kind == COUNT:
        known = 0 if pd.isna(value) else int(value)
        return st.number_input(spec.label, min_value=0, value=known, step=1, help="不明なら 0", key=key)
    if spec.kind == CHOICE:
        options = list(spec.choices)
        return st.selectbox(spec.label, options, index=options.index(value), format_func=spec.choices.get, key=key)
    return st.text_input(spec.label, value="" if pd.isna(value) else str(value), key=key)


def _saved(action, message: str) -> None:
    try:
        revision = action()
    except (PlanRevisionError, store.StoreError) as error:
        st.error(str(error), icon=":material/error:")
        return
    st.session_state["plan_saved"] = message.format(revision=revision)
    st.rerun()


st.subheader("指標を変更する")
names = dict(zip(plan.indicators["code"], plan.indicators["name"], strict=True))
code = st.selectbox("指標", list(names), format_func=lambda c: f"{c}　{names[c]}")
row = plan.indicators.set_index("code").loc[code]
mine = plan.yearly_targets[plan.yearly_targets["indicator_code"] == code]
with st.form(f"edit-{plan.revision}-{code}"):
    values = {
        spec.column: _input(spec, row[spec.column], f"{plan.revision}-{code}-{spec.column}") for spec in PLAN_FIELDS
    }
    targets = st.data_editor(
        pd.DataFrame({"年度": mine["fiscal_year"].astype("Int64").array, YEARLY_TARGET: mine["value"].to_numpy()}),
        num_rows="dynamic",
        hide_index=True,
        key=f"targets-{plan.revision}-{code}",
        column_config={
            "年度": st.column_config.NumberColumn("年度", min_value=1989, max_value=2100, step=1, format="%d"),
            YEARLY_TARGET: st.column_config.NumberColumn(YEARLY_TARGET, format="%g"),
        },
    )
    st.caption(f"{YEARLY_TARGET}: 基準年度と目標年度の間の年度ごとの中間目標（任意）。行の追加・変更・削除ができます。")
    reason = st.text_input("変更の理由（必須。履歴に残ります）")
    if st.form_submit_button("新しい版として保存", type="primary"):
        _saved(
            lambda: save_revision(
                engine,
                plan,
                revise_indicator(plan, code, values),
                admin.name,
                reason,
                yearly_targets=revise_yearly_targets(plan, code, targets),
            ),
            "版 {revision} として保存しました。これからの評価はこの版を使います。",
        )

action_word = plan.level(ACTION)
st.subheader(f"{action_word}の担当課を変更する")
actions = plan.nodes[plan.nodes["kind"] == ACTION].set_index("code")
action = st.selectbox(action_word, list(actions.index), format_func=lambda c: f"{c}　{actions.loc[c, 'name']}")
with st.form(f"department-{plan.revision}-{action}"):
    current = actions.loc[action, "lead_department"]
    department = st.text_input(
        f"{action_word}の担当課",
        value="" if pd.isna(current) else str(current),
        key=f"department-{plan.revision}-{action}",
    )
    department_reason = st.text_input("変更の理由（必須。履歴に残ります）", key="department-reason")
    if st.form_submit_button("担当課を新しい版として保存", type="primary"):
        _saved(
            lambda: save_revision(
                engine,
                plan,
                plan.indicators,
                admin.name,
                department_reason,
                nodes=revise_action_department(plan, action, department),
            ),
            "版 {revision} として保存しました。",
        )

st.subheader("前の版に戻す")
earlier = {p.revision: p.label for p in plans[:-1]}
chosen = st.selectbox(
    "戻す版", list(earlier), index=None, format_func=lambda r: f"版 {r}　{earlier[r]}", placeholder="選んでください"
)
why = st.text_input("戻す理由（任意）")
if st.button(
    "この版に戻す", disabled=chosen is None, help="選んだ版の内容を新しい版として保存します。履歴は消えません。"
):
    _saved(
        lambda: restore_revision(engine, plans, chosen, admin.name, why),
        f"版 {chosen} の内容を版 {{revision}} として保存しました。",
    )
