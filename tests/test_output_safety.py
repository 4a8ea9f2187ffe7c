"""Text that a spreadsheet would run as a formula reaches every xlsx and CSV as the text it is; 所見 is
checked before it is saved and shown as plain text."""

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.accounts import EDITOR, User
from analytics.assessment import evaluate_plan
from analytics.bootstrap import prepare_store
from analytics.evaluation_settings import load_settings
from analytics.reports.report_content import CommentaryError, build_report, check_commentary, save_commentary
from analytics.reports.xlsx_report import DETAIL_SHEET, SUMMARY_SHEET, render_xlsx
from analytics.spreadsheets import protect_csv_text, write_template, write_workbook
from analytics.status_report import to_csv

ROOT = Path(__file__).resolve().parent.parent
LINK = '=HYPERLINK("http://x","y")'


def _cells(content: bytes, sheet: str) -> dict[object, tuple[str, object]]:
    """Every non-empty cell of a sheet: value → (openpyxl data type, value)."""
    workbook = load_workbook(io.BytesIO(content))
    return {
        cell.value: (cell.data_type, cell.value)
        for row in workbook[sheet].iter_rows()
        for cell in row
        if cell.value is not None
    }


def test_excel_report_keeps_a_formula_like_commentary_and_author_as_text(engine: Engine) -> None:
    save_commentary(engine, "1-②", 2024, LINK, "@SUM(1)")
    plan = store.read_plans(engine)[-1]
    settings = load_settings()
    evaluation = evaluate_plan(plan.indicators, store.read_observations(engine), settings, 2024, settings.method)
    report = build_report(
        evaluation, plan, store.read_commentary(engine, 2024), scope="all", sample=True, today=date(2025, 2, 3)
    )
    cells = _cells(render_xlsx(report), SUMMARY_SHEET)
    assert cells[LINK] == ("s", LINK)
    details = _cells(render_xlsx(report), DETAIL_SHEET)
    author = next(value for value in details if isinstance(value, str) and value.startswith("@SUM(1)"))
    assert details[author][0] == "s"
    # Numbers stay numbers: the value of 1-② in the same table.
    assert {data_type for data_type, value in cells.values() if isinstance(value, float)} == {"n"}


def test_upload_template_keeps_formula_like_indicator_text_as_text(engine: Engine) -> None:
    indicators = store.read_plans(engine)[-1].indicators.head(3).assign(name=["+1", "-2", LINK])
    cells = _cells(write_template(indicators, ["令和6(2024)年度"]), "指標一覧")
    assert [cells[name] for name in ("+1", "-2", LINK)] == [("s", "+1"), ("s", "-2"), ("s", LINK)]


def test_plain_workbook_keeps_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "表.xlsx"
    write_workbook(path, {"表": pd.DataFrame({"名前": ["=1+1", "@A1", "普通"], "値": [1.5, -2.0, 3.0]})})
    cells = _cells(path.read_bytes(), "表")
    assert [cells[value] for value in ("=1+1", "@A1", "普通", 1.5, -2.0)] == [
        ("s", "=1+1"),
        ("s", "@A1"),
        ("s", "普通"),
        ("n", 1.5),
        ("n", -2.0),
    ]


def test_csv_text_that_would_run_as_a_formula_is_prefixed_with_a_quote() -> None:
    frame = pd.DataFrame({"text": ["=1+1", "+1", "-", "@x", "\tx", "\rx", "普通", None], "number": range(8)})
    before = frame.copy()
    expected = pd.DataFrame({"text": ["'=1+1", "'+1", "'-", "'@x", "'\tx", "'\rx", "普通", None], "number": range(8)})
    pd.testing.assert_frame_equal(protect_csv_text(frame), expected)
    pd.testing.assert_frame_equal(frame, before)


def test_status_csv_protects_a_formula_like_indicator_name(engine: Engine) -> None:
    plan = store.read_plans(engine)[-1]
    indicators = plan.indicators.assign(name=plan.indicators["name"].where(plan.indicators["code"] != "1-①", LINK))
    settings = load_settings()
    evaluated = evaluate_plan(indicators, store.read_observations(engine), settings, 2024, settings.method).indicators
    row = next(line for line in to_csv(evaluated, plan.levels).splitlines() if line.startswith("1-①,"))
    assert row.startswith('1-①,"\'=HYPERLINK(""http://x"",""y"")"')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  見直した。\r\n次回確かめる。  ", "見直した。\n次回確かめる。"),
        ("あ" * 160, "あ" * 160),
        ("", ""),
    ],
)
def test_commentary_is_saved_trimmed_with_plain_line_breaks(text: str, expected: str) -> None:
    assert check_commentary(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("あ" * 161, "所見は 160 文字以内で書いてください（いまは 161 文字なので、1 文字減らしてください）。"),
        (
            "見直した。\x07",
            "所見に使えない制御文字（U+0007）が含まれているため、その文字を消してから保存してください。",
        ),
        (
            "見直した\u202e。",
            "所見に使えない制御文字（U+202E）が含まれているため、その文字を消してから保存してください。",
        ),
        ("見直した\tが", "所見に使えない制御文字（U+0009）が含まれているため、その文字を消してから保存してください。"),
    ],
)
def test_commentary_too_long_or_with_a_control_character_is_refused(text: str, message: str) -> None:
    with pytest.raises(CommentaryError) as refused:
        check_commentary(text)
    assert str(refused.value) == message


def test_commentary_is_shown_as_plain_text_and_a_refused_one_says_why(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = prepare_store(database_url)
    markdown = "[ここを押す](http://example.com) ![画像](http://example.com/a.png) **太字**"
    save_commentary(engine, "1-②", 2024, markdown, "企画課 田中")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.query_params["indicator"] = "1-②"
    app.switch_page("pages/indicator.py")
    app.session_state["signed_in_user"] = User(name="企画課 田中", role=EDITOR)
    app.run()
    assert [text.value for text in app.text] == [markdown]
    assert not any("example.com" in str(element.value) for element in app.markdown)

    app.text_area[0].input("見直した。\x07")
    app.button(key="FormSubmitter:commentary-1-②-2024-所見を保存").click().run()
    assert [error.value for error in app.error] == [
        "所見に使えない制御文字（U+0007）が含まれているため、その文字を消してから保存してください。"
    ]
    assert store.read_commentary(engine, 2024).set_index("indicator_code").loc["1-②", "text"] == markdown
