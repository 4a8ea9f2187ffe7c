"""概要: where the plan stands in the chosen year, and which indicators need attention and why."""

import streamlit as st

from analytics import vocabulary as v
from analytics.assessment import describe_partial_years
from analytics.chart_data import describe_status_counts, tabulate_status_counts
from analytics.presentation import (
    describe_observation,
    describe_status,
    render_status_tiles,
    status_badge,
    tabulate_statuses,
    worst_first,
)
from ui.context import (
    describe_last_update,
    label_policies,
    read_current_plan,
    read_evaluation,
    read_observations,
    read_status_figure,
    show_header,
)
from ui.help import link_to_method
from ui.layout import choose_page, show_chart, show_table

FLAGGED_PER_PAGE = 10

show_header("概要")
plan = read_current_plan()
result = read_evaluation()
st.caption(
    f"{v.format_fiscal_year(result.year)}の調査結果 ・ 評価方法: {v.METHOD_LABELS[result.method]}"
    f" ・ データ最終更新: {describe_last_update()}"
)
if note := describe_partial_years(plan.indicators, read_observations(), result.year):
    st.info(note, icon=":material/schedule:")

whole = result.summary.set_index("policy_code").loc[v.OVERALL]
if (result.indicators["year"] <= result.indicators["baseline_year"]).all():
    # Nothing can be graded yet: counting every indicator as データなし would contradict the table.
    st.info(
        f"{v.format_fiscal_year(result.year)}は基準年度のため、進捗の評価はまだありません。各指標の値は下の表のとおりです。",
        icon=":material/flag:",
    )
else:
    st.subheader(f"計画全体（{whole['total']}指標）: {status_badge(whole['summary'])}")
    st.html(render_status_tiles(whole))
    counts = tabulate_status_counts(result.summary, label_policies(plan))
    show_chart(
        read_status_figure(),
        counts,
        subject="状況別の指標数",
        year=result.year,
        key="status-counts",
        alt=describe_status_counts(counts),
    )

flagged = worst_first(result.indicators[result.indicators["flags"].map(len) > 0])
st.subheader(f"要注意の指標（{len(flagged)}）")
if flagged.empty:
    st.success("遅れを示す指標はありません。", icon=":material/check_circle:")
# Worst first, a page of cards at a time: a large plan flags dozens, and every card is drawn.
for _, row in flagged.iloc[choose_page(len(flagged), "flagged", per_page=FLAGGED_PER_PAGE, unit="件")].iterrows():
    with st.container(border=True):
        st.markdown(
            f"**{describe_status(row['status'], row['status_range'])}　{row['code']}　{row['name']}**\n\n"
            f"{describe_observation(row)}\n\n" + "\n".join(f"- {reason}" for reason in row["reasons"])
        )
        st.page_link(
            "pages/indicator.py",
            label="指標の詳細を見る",
            icon=":material/query_stats:",
            query_params={"indicator": row["code"]},
        )
        link_to_method(row["code"])

st.subheader("全指標の状況")
show_table(tabulate_statuses(result.indicators), key="statuses")
link_to_method()
