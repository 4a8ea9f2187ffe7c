"""The Excel report as printed on A4: layout, headers and footers, fonts, wrapping, charts, status colours."""

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import Stores
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from test_reports import libreoffice  # noqa: F401 (the fixture)

from analytics import store
from analytics import vocabulary as v
from analytics.actions.settings import ActionSettings
from analytics.assessment import evaluate_plan
from analytics.evaluation_settings import load_settings
from analytics.presentation import status_badge
from analytics.reports.evaluation_sheet import read_action_records
from analytics.reports.report_content import Report, build_report
from analytics.reports.xlsx_report import (
    COLUMN_PADDING,
    DETAIL_SHEET,
    OBSERVATION_SHEET,
    PRINT_WIDTH,
    SUMMARY_SHEET,
    render_xlsx,
)

_CM_PER_WIDTH_UNIT = 0.1852  # one column width unit (7 px at 96 dpi) in centimetres


def _report(stores: Stores, sample: bool) -> Report:
    engine = stores.prepare(stores.new_url())
    settings = load_settings()
    plan = store.read_plans(engine)[-1]
    evaluation = evaluate_plan(plan.indicators, store.read_observations(engine), settings, 2024, settings.method)
    return build_report(
        evaluation,
        plan,
        store.read_commentary(engine, 2024),
        sample=sample,
        today=date(2025, 2, 3),
        actions=read_action_records(engine, 2024, ActionSettings()),
    )


@pytest.fixture(scope="module")
def report(stores: Stores) -> Report:
    return _report(stores, sample=True)


@pytest.fixture(scope="module")
def workbook(report: Report) -> Workbook:
    return load_workbook(io.BytesIO(render_xlsx(report)))


def test_every_sheet_prints_a4_landscape_one_page_wide_with_titles_header_footer_and_frozen_headings(
    workbook: Workbook,
) -> None:
    assert len(workbook.worksheets) == 12
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows, sheet.title
        assert sheet.freeze_panes, sheet.title
        assert sheet.oddHeader.left.text == "川西市参画と協働のまちづくり推進計画　令和6(2024)年度"
        assert sheet.oddHeader.right.text == "&A"
        assert sheet.oddFooter.right.text == "&P / &N"
        assert sheet.oddFooter.left.text == f"サンプル（架空）データ: {v.SAMPLE_NOTICE}"
    assert workbook[SUMMARY_SHEET].print_title_rows == "$11:$11"  # the indicator table's header row


def test_without_sample_data_the_footer_carries_no_notice(stores: Stores) -> None:
    workbook = load_workbook(io.BytesIO(render_xlsx(_report(stores, sample=False))))
    assert {sheet.oddFooter.left.text for sheet in workbook.worksheets} == {None}


def test_every_sheet_is_laid_out_within_the_a4_width_so_it_prints_at_full_size(workbook: Workbook) -> None:
    for sheet in workbook.worksheets:
        width = _width(sheet, sheet.max_column)
        charts = [_width(sheet, chart.anchor._from.col) + chart.width / _CM_PER_WIDTH_UNIT for chart in sheet._charts]
        assert max([width, *charts]) <= PRINT_WIDTH, sheet.title


def _width(sheet: Worksheet, columns: int) -> float:
    """The printed width of the first `columns` columns, in width units with each column's padding."""
    return sum(sheet.column_dimensions[get_column_letter(i)].width + COLUMN_PADDING for i in range(1, columns + 1))


def test_every_cell_is_set_in_a_japanese_font_and_rows_show_every_line(workbook: Workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert (cell.font.name, cell.font.charset) == ("Meiryo UI", 128), cell.coordinate
                if isinstance(cell.value, str) and "\n" in cell.value:
                    assert cell.alignment.wrap_text
                    lines = cell.value.count("\n") + 1
                    assert sheet.row_dimensions[cell.row].height >= lines * cell.font.size * 1.2, cell.coordinate
        for chart in sheet._charts:
            for part in (chart.x_axis, chart.y_axis, chart.legend):
                properties = part.txPr.p[0].pPr.defRPr
                assert (properties.ea.typeface, properties.latin.typeface, properties.sz) == (
                    "Meiryo UI",
                    "Meiryo UI",
                    1000,
                )


def test_each_chart_has_a_printed_page_to_itself_and_a_share_axis_fitted_to_its_data(workbook: Workbook) -> None:
    sheet = workbook["基本方針1"]
    starts = [chart.anchor._from.row + 1 for chart in sheet._charts]  # 1-based anchor rows
    breaks = [item.id for item in sheet.row_breaks.brk]
    assert len(breaks) == len(starts) - 1
    for start, end in zip(starts, [*breaks, 10_000], strict=True):
        assert start + 19 < end  # a 9 cm chart spans 19 rows of 16 pt; the next page starts after it
    axis = sheet._charts[3].y_axis.scaling  # 1-④: 22.0 at the baseline down to 19.2, target 32.0
    assert 10 <= axis.min <= 19
    assert 32 <= axis.max <= 40


def test_status_colours_also_apply_to_a_status_typed_without_its_symbol(workbook: Workbook) -> None:
    for name in (SUMMARY_SHEET, OBSERVATION_SHEET, "基本施策1.1"):
        formulas = [rule.formula[0] for cf in workbook[name].conditional_formatting for rule in cf.rules]
        assert formulas == [
            f'OR(TRIM(A1)="{v.STATUS_LABELS[s]}",A1="{status_badge(s)}",LEFT(A1,{len(status_badge(s)) + 1})="{status_badge(s)}（")'
            for s in v.STATUSES
        ]


def test_summary_leaves_a_counts_margin_blank_keeps_the_error_notes_and_one_kind_of_percentage(
    workbook: Workbook,
) -> None:
    rows = list(workbook[SUMMARY_SHEET].iter_rows(min_row=11, values_only=True))
    header, table = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header == (
        "指標",
        "指標名",
        "値",
        "誤差(±pt)",
        "基準値",
        "目標値",
        "進捗率(%)",
        "状況",
        "注意点・注記",
        "所見",
    )
    assert table["2-②"]["誤差(±pt)"] is None
    assert table["2-①"]["誤差(±pt)"] == pytest.approx(2.5, abs=0.5)
    assert "※ 目標達成ペースとの差は誤差の範囲" in table["1-①"]["注意点・注記"]
    details = next(workbook[DETAIL_SHEET].iter_rows(values_only=True))
    assert "目標達成ペースの値" in details
    assert "目標達成ペース" not in header
    observations = list(workbook[OBSERVATION_SHEET].iter_rows(values_only=True))
    margin = observations[0].index("誤差(±pt)")
    assert {row[margin] for row in observations[1:] if row[2] == "2-②"} == {None}


@pytest.fixture(scope="module")
def printed(report: Report, libreoffice: str, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    folder = tmp_path_factory.mktemp("printed")
    source = folder / "report.xlsx"
    source.write_bytes(render_xlsx(report))
    profile = f"-env:UserInstallation=file://{folder / 'profile'}"  # a private profile: runs may overlap
    subprocess.run(
        [libreoffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder / "report.pdf"


def test_printed_to_pdf_no_text_is_smaller_than_9_pt_and_every_page_is_numbered(printed: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext がないため省略します（apt-get install poppler-utils）")
    boxes = subprocess.run(["pdftotext", "-bbox", str(printed), "-"], check=True, capture_output=True, text=True)
    heights = [
        float(high) - float(low)
        for low, high in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes.stdout)
    ]
    # pdftotext's box is about 0.98 of the font size for the Japanese fallback font: 9 pt gives 8.8.
    assert min(heights) >= 8.7
    text = subprocess.run(["pdftotext", str(printed), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) > 20
    assert all(re.search(rf"\b{number} / {len(pages)}\b", page) for number, page in enumerate(pages, start=1))
    assert all("令和6(2024)年度" in page for page in pages)
