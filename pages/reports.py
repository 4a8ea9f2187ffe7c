"""報告書出力: a PowerPoint, Excel or offline HTML report for a year and scope, from the dashboard's own evaluation."""

from datetime import date
from functools import partial

import streamlit as st

from analytics import vocabulary as v
from analytics.reports import FORMATS, file_name
from analytics.reports.report_content import build_report, scope_choices
from ui.context import (
    is_sample,
    read_commentary,
    read_evaluated_plan,
    read_evaluation,
    read_settings,
    show_header,
)

show_header("報告書出力")
# The sidebar's year and method, so the report never disagrees with the pages; with nothing
# stored, the page stops pointing to データ取込.
evaluation = read_evaluation()
year = evaluation.year
plan = read_evaluated_plan(year)
st.caption(
    "議会報告や年次評価報告書の資料を、このダッシュボードと同じ数値・状況・所見で作ります。作った後も編集できます。"
)
st.markdown(f"**報告する年度: {v.format_fiscal_year(year)}**（サイドバーの「評価する年度」で変えられます）")
scopes = scope_choices(plan)
scope = st.radio("範囲", list(scopes), format_func=scopes.get, horizontal=True)
format_name = st.radio("形式", list(FORMATS), format_func=lambda name: FORMATS[name].label)

report = build_report(
    evaluation,
    plan,
    read_commentary(year),
    scope=scope,
    sample=is_sample(),
    today=date.today(),
    settings=read_settings(),
)
written = int((report.indicators["commentary"] != "").sum())
st.caption(
    f"{len(report.indicators)} 指標（スライド {len(report.slides)} 枚）・ 評価方法: {v.METHOD_LABELS[evaluation.method]}"
    f" ・ 所見の記入: {written} / {len(report.indicators)} 指標"
)
st.download_button(
    "報告書をダウンロード",
    data=partial(FORMATS[format_name].render, report),  # built only when clicked
    file_name=file_name(report, format_name),
    mime=FORMATS[format_name].mime,
    type="primary",
    icon=":material/download:",
)
st.caption(
    "PowerPoint のグラフと表はそのまま編集できます（グラフを右クリック →「データの編集」）。"
    f"HTML はインターネットなしで開け、ブラウザの印刷で A4 に{plan.level(v.POLICY)}ごとに改ページされます。"
)
