"""Start the dashboard (`python -m ui.serve [streamlit options]`), with shared links working on first visit."""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

# Streamlit runs a folder named pages/ beside the entry point in its legacy multipage mode until
# some session has called st.navigation. A first visitor opening a shared link (/indicator?…)
# would then get that page alone, without the shared sidebar. dashboard.py always calls
# st.navigation, so the legacy mode is never wanted. Pinned Streamlit; tests/test_browser.py
# opens a deep link first to catch an upgrade that moves this flag.
PagesManager.uses_pages_directory = False

if __name__ == "__main__":
    sys.argv = ["streamlit", "run", "dashboard.py", *sys.argv[1:]]
    sys.exit(cli.main())
