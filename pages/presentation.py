"""発表モード: the report's slides one at a time, full width in large type, without the sidebar."""

from datetime import date

import plotly.graph_objects as go
import streamlit as st

from analytics.charts import chart_config
from analytics.reports.html_report import STYLE, slide_rows
from analytics.reports.report_content import build_report
from ui.context import (
    is_sample,
    read_commentary,
    read_evaluated_plan,
    read_evaluation,
    read_settings,
    show_sample_notice,
)

_SLIDE = "presentation_slide"
# The sidebar (navigation, year and method) stays in the page, hidden: it still holds the year and
# method the slides show, and 「発表を終わる」 brings it back. Slide text is set large for a projector.
_SCREEN = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"], header[data-testid="stHeader"] { display: none !important; }
.block-container { padding-top: 1.2rem; max-width: 100%; }
.report-block { font-size: 24px; overflow-x: auto; }
.report-block table { font-size: 18px; }  /* the yearly table fits its column beside 所見 */
</style>"""


def _step(offset: int, count: int) -> None:
    st.session_state[_SLIDE] = min(max(st.session_state.get(_SLIDE, 0) + offset, 0), count - 1)


def _go_to(index: int) -> None:
    st.session_state[_SLIDE] = index


st.html(_SCREEN + STYLE)
evaluation = read_evaluation()
report = build_report(
    evaluation,
    read_evaluated_plan(),
    read_commentary(evaluation.year),
    sample=is_sample(),
    today=date.today(),
    settings=read_settings(),
)
count = len(report.slides)
index = min(st.session_state.get(_SLIDE, 0), count - 1)
# ←/→, PageUp/PageDown, Space, Home/End press these buttons (ui/assets/dashboard.js finds them by key).
first, back, position, forward, last, leave = st.columns([1, 1, 1, 1, 1, 1], vertical_alignment="center")
first.button("最初", icon=":material/first_page:", on_click=_go_to, args=(0,), disabled=index == 0, key="slide_first")
back.button(
    "前へ", icon=":material/arrow_back:", on_click=_step, args=(-1, count), disabled=index == 0, key="slide_back"
)
position.markdown(
    f"<div style='text-align:center;font-size:1.3rem'>{index + 1} / {count}</div>", unsafe_allow_html=True
)
forward.button(
    "次へ",
    icon=":material/arrow_forward:",
    on_click=_step,
    args=(1, count),
    disabled=index == count - 1,
    key="slide_forward",
)
last.button(
    "最後",
    icon=":material/last_page:",
    on_click=_go_to,
    args=(count - 1,),
    disabled=index == count - 1,
    key="slide_last",
)
leave.page_link("pages/overview.py", label="発表を終わる", icon=":material/close:")
st.caption("キー操作: → PageDown Space で次へ、← PageUp で前へ、Home で最初、End で最後のスライド")
for row in slide_rows(report.slides[index], large=True):
    for column, block in zip(st.columns([3, 2]) if len(row) == 2 else [st.container()], row, strict=True):
        if isinstance(block, go.Figure):
            # theme=None keeps the figure's own large fonts instead of Streamlit's smaller theme.
            column.plotly_chart(block, config=chart_config(f"slide_{index + 1}"), theme=None)
        else:
            column.html(block)
show_sample_notice()
