"""Entry point: page navigation and the sidebar that every page shares."""

from pathlib import Path

import streamlit as st

from analytics import vocabulary as v
from ui.context import failures_shown, read_current_plan, show_sidebar
from ui.layout import prepare_document

APP_TITLE = "参画と協働 指標ダッシュボード"
# A local file, not a Material icon: the browser must not fetch the favicon from the internet. The
# pages have no icons for the same reason: Streamlit makes the current page's icon the favicon.
ICON = str(Path(__file__).parent / "ui" / "assets" / "favicon.png")

# The navigation reads the plan's own level names, so it too sits inside the error boundary.
with failures_shown():
    # Pages that open on charts (発表モード opens on its title slide).
    with_charts = [
        st.Page("pages/overview.py", title="概要", default=True),
        st.Page("pages/trends.py", title=f"{read_current_plan().level(v.POLICY)}別トレンド"),
        st.Page("pages/indicator.py", title="指標詳細"),
    ]
    page = st.navigation(
        [
            *with_charts,
            st.Page("pages/plan_structure.py", title="計画体系"),
            st.Page("pages/evaluation.py", title="施策評価"),
            st.Page("pages/method.py", title="評価方法"),
            st.Page("pages/upload.py", title="データ取込"),
            st.Page("pages/reports.py", title="報告書出力"),
            st.Page("pages/presentation.py", title="発表モード"),
            st.Page("pages/plan_admin.py", title="計画の管理"),
            st.Page("pages/accounts.py", title="アカウント管理"),
        ]
    )
    st.set_page_config(page_title=f"{page.title}｜{APP_TITLE}", page_icon=ICON, layout="wide")
    prepare_document(charts=page in with_charts)
    show_sidebar()
    page.run()
