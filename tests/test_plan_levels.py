"""A city whose 体系表 says 基本目標 never sees 基本方針: pages, reports and `status` speak the plan's words."""

import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from openpyxl import load_workbook
from pptx import Presentation
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics.assessment import evaluate_plan
from analytics.bootstrap import prepare_store
from analytics.cli import main
from analytics.evaluation_settings import load_settings
from analytics.planfile.drafts import complete_drafts, read_drafts
from analytics.reports import FORMATS, file_name
from analytics.reports.report_content import build_report

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/trends.py", "pages/indicator.py", "pages/plan_structure.py", "pages/reports.py"]
CITY_PLAN = ROOT / "tests" / "fixtures" / "planfile" / "merged_other_city.xlsx"


@pytest.fixture
def city_store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Engine:
    """The default store with a city's own plan (基本目標 / 施策 / 方向性 / 主な取組 / 成果指標) imported on top."""
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    engine = prepare_store(database_url)
    drafts = read_drafts(CITY_PLAN.name, CITY_PLAN.read_bytes())
    store.add_plan_revisions(engine, complete_drafts(drafts, store.read_plans(engine)))
    return engine


def _page_texts(node: object) -> list[str]:
    """Every text an element shows: values (tables whole), labels, options, and chart specs."""
    values = [getattr(node, name) for name in ("value", "label", "options") if _has(node, name)]
    texts = [value.to_csv() if isinstance(value, pd.DataFrame) else str(value) for value in values]
    spec = getattr(getattr(node, "proto", None), "spec", "")
    if isinstance(spec, str) and spec:
        texts.append(json.dumps(json.loads(spec), ensure_ascii=False))
    for child in getattr(node, "children", {}).values():
        texts += _page_texts(child)
    return texts


def _has(node: object, name: str) -> bool:
    try:
        getattr(node, name)
    except Exception:  # an element type without this attribute raises rather than returning None
        return False
    return True


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("city_store")
def test_pages_use_the_plan_level_names(page: str) -> None:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.switch_page(page)
    app.run()
    assert not app.exception
    text = "\n".join(_page_texts(app.main) + _page_texts(app.sidebar))
    assert "基本方針" not in text
    assert "基本目標" in text or (page == "pages/overview.py" and "基本目標1" in text)


def test_indicator_page_shows_the_departments_of_the_plan(city_store: Engine) -> None:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.query_params["indicator"] = "1-①"
    app.switch_page("pages/indicator.py")
    app.run()
    text = "\n".join(_page_texts(app.main))
    assert "- 基本目標1: 地域の担い手を育てます" in text
    assert "- 担当課: 協働推進課（関係課: 広報課、地域振興課）" in text


def test_indicator_page_shows_the_definition_where_the_plan_has_one(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.query_params["indicator"] = "3-①"
    app.switch_page("pages/indicator.py")
    app.run()
    assert "**指標の定義**\n\n- 調査名: 職員意識調査" in [str(m.value) for m in app.markdown]


@pytest.mark.parametrize("format_name", list(FORMATS))
def test_reports_use_the_plan_level_names_and_carry_departments(city_store: Engine, format_name: str) -> None:
    plan = store.read_plans(city_store)[-1]
    evaluation = evaluate_plan(plan.indicators, store.read_observations(city_store), load_settings(), None, "linear")
    report = build_report(
        evaluation, plan, store.read_commentary(city_store, evaluation.year), sample=True, today=date(2025, 4, 1)
    )
    text = _report_text(FORMATS[format_name].render(report), format_name) + file_name(report, format_name)
    assert "基本方針" not in text
    assert "基本目標1" in text
    assert "成果指標" in text
    assert "調査名: 市民意識調査" in text
    assert "協働推進課（関係課: 広報課、地域振興課）" in text


def _report_text(content: bytes, format_name: str) -> str:
    if format_name == "html":
        return content.decode("utf-8")
    if format_name == "xlsx":
        workbook = load_workbook(io.BytesIO(content))
        cells = [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
        return "\n".join([*workbook.sheetnames, *cells])
    deck = Presentation(io.BytesIO(content))
    return "\n".join(
        run.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
    ) + "\n".join(
        str(cell.text)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    )


@pytest.mark.usefixtures("city_store")
def test_status_command_uses_the_plan_level_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status"]) == 0
    table = capsys.readouterr().out
    assert "基本目標別のまとめ" in table
    assert "基本方針" not in table
    assert main(["status", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("指標,指標名,基本目標,")


def test_plan_page_names_each_action_with_its_department(city_store: Engine) -> None:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    app.switch_page("pages/plan_structure.py")
    app.run()
    outline = [str(m.value) for m in app.markdown if "地域情報サイトの運営" in str(m.value)]
    assert outline == [
        "- **施策** 地域活動の支援\n"
        "    - **方向性** 情報の発信\n"
        "        - ① 地域情報サイトの運営（担当課: 広報課）\n"
        "        - ② 広報紙の充実（担当課: 広報課）\n"
        "    - **方向性** 人材の育成\n"
        "        - ③ 地域リーダー講座の開催（担当課: 協働推進課）"
    ]
