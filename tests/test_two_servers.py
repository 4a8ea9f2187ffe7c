"""Two dashboard servers on one store: a batch confirmed on one shows on the other at its next rerun."""

import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from page_tables import page_tables
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.accounts import create_user

ROOT = Path(__file__).resolve().parent.parent

# The other server: its own process, signing in on データ取込 and confirming an upload that changes
# 1-① for 令和6年度 from 53.4 to 55.0.
_OTHER_SERVER = """
import sys
from streamlit.testing.v1 import AppTest
app = AppTest.from_file(sys.argv[1], default_timeout=60).run()
app.text_input[0].input("山田")
app.text_input[1].input("correct horse")
app.button[0].click()
app.run()
app.file_uploader[0].set_value(("changed.csv", "年度,指標,値,回答者数\\n2024,1-①,55.0,1210\\n".encode(), "text/csv"))
app.run()
next(button for button in app.button if button.label == "この内容で取り込む").click()
app.run()
print(app.success[0].value)
"""


def _value_of_1_1(app: AppTest) -> str:
    """1-①'s value in the overview's table of all indicators."""
    table = page_tables(app)[-1]
    return table.loc[table["指標"] == "1-①", "値"].iloc[0]


def test_a_batch_confirmed_on_another_server_shows_at_the_next_rerun(
    real_engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    create_user(real_engine, "山田", "correct horse")
    st.cache_resource.clear()
    st.cache_data.clear()
    this_server = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert _value_of_1_1(this_server) == "53.4% ±2.8pt（n=1,202）"

    other = subprocess.run(
        [sys.executable, "-c", _OTHER_SERVER, str(ROOT / "pages" / "upload.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert (other.returncode, other.stdout) == (
        0,
        "取込 2 として取り込みました: 新規 0 件、変更 1 件（変更なし 0 件）。\n",
    )

    this_server.run()
    assert not this_server.exception
    assert _value_of_1_1(this_server).startswith("55.0% ±")
