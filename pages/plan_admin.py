"""計画の管理: a 管理者 edits an indicator's baseline, target, direction and unit as a new plan revision, or restores one."""

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
    revise_indicator,
    save_revision,
    tabulate_revisions,
)
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
with st.form(f"edit-{plan.revision}-{code}"):
    values = {
        spec.column: _input(spec, row[spec.column], f"{plan.revision}-{code}-{spec.column}") for spec in PLAN_FIELDS
    }
    reason = st.text_input("変更の理由（必須。履歴に残ります）")
    if st.form_submit_button("新しい版として保存", type="primary"):
        _saved(
            lambda: save_revision(engine, plan, revise_indicator(plan, code, values), admin.name, reason),
            "版 {revision} として保存しました。これからの評価はこの版を使います。",
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
