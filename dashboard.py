"""Entry point: page navigation and the sidebar that every page shares."""

import streamlit as st

from analytics import vocabulary as v
from ui.context import failures_shown, read_current_plan, show_sidebar

st.set_page_config(page_title="参画と協働 指標ダッシュボード", page_icon=":material/monitoring:", layout="wide")
# The navigation reads the plan's own level names, so it too sits inside the error boundary.
with failures_shown():
    page = st.navigation(
        [
            st.Page("pages/overview.py", title="概要", icon=":material/dashboard:", default=True),
            st.Page(
                "pages/trends.py",
                title=f"{read_current_plan().level(v.POLICY)}別トレンド",
                icon=":material/monitoring:",
            ),
            st.Page("pages/indicator.py", title="指標詳細", icon=":material/query_stats:"),
            st.Page("pages/plan_structure.py", title="計画体系", icon=":material/account_tree:"),
            st.Page("pages/method.py", title="評価方法", icon=":material/help:"),
            st.Page("pages/upload.py", title="データ取込", icon=":material/upload_file:"),
            st.Page("pages/reports.py", title="報告書出力", icon=":material/description:"),
            st.Page("pages/presentation.py", title="発表モード", icon=":material/slideshow:"),
            st.Page("pages/plan_admin.py", title="計画の管理", icon=":material/edit_note:"),
            st.Page("pages/accounts.py", title="アカウント管理", icon=":material/manage_accounts:"),
        ]
    )
    show_sidebar()
    page.run()
