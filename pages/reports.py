"""報告書出力: a PowerPoint, Excel or offline HTML report for a year and scope, from the dashboard's own evaluation."""

from datetime import date
from functools import partial

import streamlit as st

from analytics import vocabulary as v
from analytics.actions.settings import load_action_settings
from analytics.publish.approval import publish_year, read_published_years, withdraw_year
from analytics.publish.site import build_site_archive
from analytics.reports import FORMATS, file_name
from analytics.reports.evaluation_sheet import read_action_records, scope_sheets
from analytics.reports.pptx_report import check_template, render_pptx
from analytics.reports.report_content import WHOLE_PLAN, build_report, scope_choices
from ui.auth import current_admin
from ui.context import (
    failures_shown,
    get_engine,
    is_sample,
    read_commentary,
    read_evaluated_plan,
    read_evaluation,
    read_settings,
    read_years,
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

build = partial(
    build_report,
    evaluation,
    plan,
    read_commentary(year),
    scope=scope,
    sample=is_sample(),
    today=date.today(),
    settings=read_settings(),
)
report = build()
written = int((report.indicators["commentary"] != "").sum())
st.caption(
    f"{len(report.indicators)} 指標 ・ 評価方法: {v.METHOD_LABELS[evaluation.method]}"
    f" ・ 所見の記入: {written} / {len(report.indicators)} 指標"
    f" ・ 施策評価シート: {len(scope_sheets(plan, scope, WHOLE_PLAN)[1])} 件"
)
render = FORMATS[format_name].render
if format_name == "pptx":
    with failures_shown():  # a template named in the settings that cannot be used, said before the button
        render = partial(render_pptx, template=check_template())


def _render_with_sheets() -> bytes:
    """Gathering the 施策評価シート takes a moment, so they are read and added only when the button is clicked."""
    actions = read_action_records(get_engine(), year, load_action_settings())
    return render(build(actions=actions))


st.download_button(
    "報告書をダウンロード",
    data=_render_with_sheets,  # built only when clicked
    file_name=file_name(report, format_name),
    mime=FORMATS[format_name].mime,
    type="primary",
    icon=":material/download:",
)
st.caption(
    "PowerPoint のグラフと表はそのまま編集できます（グラフを右クリック →「データの編集」）。"
    f"HTML はインターネットなしで開け、ブラウザの印刷で A4 に{plan.level(v.POLICY)}ごとに改ページされます。"
)

st.subheader("公開用サイト")
engine = get_engine()
published = read_published_years(engine)
st.caption(
    "市民向けの公開サイト（HTML・オープンデータ）を zip で作ります。公表済みの年度だけが載り、"
    "そのままウェブサーバーに置けます（`python -m analytics publish` と同じ内容）。"
)
if published:
    st.markdown(f"公表済み: {'、'.join(v.format_fiscal_year(y) for y in published)}")
    st.download_button(
        "公開用サイトをダウンロード（zip）",
        data=partial(build_site_archive, engine),  # built only when clicked
        file_name="kokai_site.zip",
        mime="application/zip",
        icon=":material/public:",
    )
else:
    st.info("公表済みの年度がありません。管理者が年度を公表すると作れます。", icon=":material/info:")
if (admin := current_admin()) is not None:
    chosen = st.selectbox("公表する年度", read_years(), format_func=v.format_fiscal_year, key="publish_year")
    approve, withdraw = st.columns(2)
    with failures_shown():
        if approve.button("この年度を公表する", disabled=chosen in published, key="publish_approve"):
            publish_year(engine, chosen, admin.name)
            st.rerun()
        if withdraw.button("公表を取り下げる", disabled=chosen not in published):
            withdraw_year(engine, chosen, admin.name)
            st.rerun()
