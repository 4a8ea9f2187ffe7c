"""施策評価: each 取組項目's status per year, progress, the unreported checklist, entry, 調査票 and the 一次・二次評価."""

import pandas as pd
import streamlit as st

from analytics import store
from analytics import vocabulary as v
from analytics.actions.overview import (
    count_progress,
    grade_measures,
    list_unreported,
    locate_actions,
    tabulate_action_batches,
    tabulate_actions,
)
from analytics.actions.settings import DIRECTIONS, GRADES, load_action_settings
from analytics.actions.survey import (
    build_survey,
    check_reportable,
    list_reportable,
    preview_answers,
    read_survey,
    survey_departments,
)
from ui.auth import current_admin, current_editor, show_sign_in
from ui.context import failures_shown, get_engine, read_current_plan, read_evaluation, read_years, show_header
from ui.layout import show_table

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

show_header("施策評価")
with failures_shown():
    engine, plan, settings = get_engine(), read_current_plan(), load_action_settings()
    reports = store.read_action_reports(engine)
if reports["sample"].any():
    st.warning(
        f"サンプル（架空）データ: {plan.level(v.ACTION)}の実施状況はサンプルです。実際の報告ではありません。",
        icon=":material/science:",
    )
years = sorted({*read_years(), *reports["fiscal_year"].astype(int)}, reverse=True)
left, right = st.columns(2)
year = left.selectbox("年度", years, format_func=lambda y: f"{y}年度", key="evaluation_year")
policies = dict(zip(plan.policies["code"], plan.policies["name"], strict=True))
policy = right.selectbox(
    plan.level(v.POLICY), list(policies), format_func=lambda c: f"{c}　{policies[c]}", key="evaluation_policy"
)
actions = tabulate_actions(plan, reports, year, policy)
status_tab, progress_tab, missing_tab, grade_tab, entry_tab, survey_tab = st.tabs(
    ["取組の状況", "年度ごとの進み具合", "未報告の一覧", "一次・二次評価", "入力", "調査票"]
)

with status_tab:
    first, second = st.columns(2)
    departments = first.multiselect(
        "担当課で絞り込む", sorted(actions["担当課"].unique()), key="evaluation_departments"
    )
    statuses = second.multiselect("実施状況で絞り込む", [*settings.scale, "未報告"], key="evaluation_statuses")
    shown = actions[
        actions["担当課"].isin(departments or actions["担当課"])
        & actions["実施状況"].isin(statuses or actions["実施状況"])
    ]
    st.caption(f"{year}年度　{len(shown)} / {len(actions)} 件の{plan.level(v.ACTION)}")
    show_table(shown, key="evaluation-actions")

with progress_tab:
    codes = locate_actions(plan).query("policy_code == @policy")["code"].tolist()
    progress = count_progress(reports, codes, settings)
    st.caption(f"{plan.level(v.ACTION)} {len(codes)} 件のうち、報告があった件数と{progress.columns[-1]}の件数です。")
    if progress.empty:
        st.caption("まだ報告がありません。")
    else:
        show_table(progress, key="evaluation-progress")

with missing_tab:
    missing = list_unreported(plan, reports, year)
    st.caption(
        f"{year}年度の報告がまだない{plan.level(v.ACTION)}（全体で {len(missing)} 件）です。締切前の確認に使えます。"
    )
    show_table(missing, key="evaluation-missing")

with grade_tab:
    indicators = read_evaluation(year).indicators.assign(
        policy_code=lambda f: f["code"].map(plan.indicators.set_index("code")["policy_code"])
    )
    secondary = store.read_secondary_evaluations(engine, year)
    grades = grade_measures(plan, reports, indicators, secondary, year, policy, settings)
    show_table(grades, key="evaluation-grades")
    admin = current_admin()
    if admin is None:
        st.caption("二次評価の記録には管理者としてのログインが必要です。")
    else:
        with st.form("secondary_form"):
            measure = st.selectbox(plan.level(v.MEASURE), grades["コード"], key="secondary_measure")
            grade = st.radio("二次評価", list(GRADES), format_func=lambda g: f"{g} {GRADES[g]}", horizontal=True)
            comment = st.text_area("コメント", key="secondary_comment")
            if st.form_submit_button("二次評価を記録する"):
                with failures_shown():
                    store.write_secondary_evaluation(engine, measure, year, grade, comment, admin.name)
                    st.success(f"{measure} の{year}年度の二次評価を {grade} として記録しました。")
                    st.rerun()

with entry_tab:
    editor = current_editor()
    if editor is None:
        st.info("入力には編集者としてのログインが必要です。", icon=":material/lock:")
        show_sign_in()
    else:
        reportable = actions[actions["コード"].isin(list_reportable(plan, editor)["code"])]
        if editor.departments:
            st.caption(f"{'、'.join(editor.departments)}の{plan.level(v.ACTION)}を入力できます。")
        if reportable.empty:
            st.info(f"この{plan.level(v.POLICY)}には、入力できる{plan.level(v.ACTION)}がありません。")
        with st.form("report_form"):
            code = st.selectbox(
                plan.level(v.ACTION),
                reportable["コード"],
                format_func=lambda c: f"{c} {actions.set_index('コード').loc[c, plan.level(v.ACTION)]}",
            )
            status = st.selectbox("実施状況", settings.scale)
            result = st.text_area("実績")
            sessions = st.number_input("開催回数", min_value=0, value=None, step=1)
            participants = st.number_input("参加者数", min_value=0, value=None, step=1)
            issues = st.text_area("課題")
            direction = st.selectbox("今後の方向性", DIRECTIONS)
            if st.form_submit_button("保存する", disabled=reportable.empty):
                department = survey_departments(plan).set_index("code").loc[code, "department"]
                row = {"action_code": code, "fiscal_year": year, "status": status, "result": result.strip()}
                extra = {"sessions": sessions, "participants": participants, "issues": issues.strip()}
                with failures_shown():
                    check_reportable(plan, code, editor)
                    store.write_action_reports(
                        engine,
                        pd.DataFrame([row | extra | {"direction": direction, "department": department}]),
                        editor.name,
                    )
                    st.success(f"{code} の{year}年度の報告を保存しました。")
                    st.rerun()

with survey_tab:
    st.markdown(f"**{year}年度の調査票（担当課ごと）**")
    for department, rows in survey_departments(plan).groupby("department"):
        st.download_button(
            f"{department}（{len(rows)} 件）",
            build_survey(plan, year, department, rows, settings),
            file_name=f"調査票_{year}年度_{department}.xlsx",
            mime=_XLSX,
            key=f"survey-{department}",
        )
    editor = current_editor()
    if editor is not None:
        files = st.file_uploader("記入済みの調査票", type=["xlsx"], accept_multiple_files=True, key="survey_files")
        if files:
            with failures_shown():
                answers = [read_survey(f.name, f.getvalue(), year, plan, settings, editor) for f in files]
                errors = [error for answer in answers for error in answer.errors]
                rows = pd.concat([answer.rows for answer in answers], ignore_index=True)
                show_table(preview_answers(rows, reports), key="survey-preview")
                for error in errors:
                    st.error(error)
                if not errors and st.button("取り込む", type="primary"):
                    batch = store.write_action_reports(engine, rows, editor.name, [f.name for f in files])
                    st.success(f"取込 {batch} として {len(rows)} 件を登録しました。")
    history = store.read_action_batches(engine)
    if not history.empty:
        st.markdown("**調査票の取込の履歴**")
        show_table(tabulate_action_batches(history), key="survey-history")
        open_batches = history.loc[history["undone_at"].isna(), "id"].tolist()
        if editor is not None and open_batches:
            batch = st.selectbox("取り消す取込", open_batches, key="survey_undo_batch")
            if st.button("取り消す"):
                with failures_shown():
                    store.undo_action_batch(engine, int(batch))
                    st.rerun()
