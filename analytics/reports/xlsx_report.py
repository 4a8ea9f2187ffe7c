"""The report as an Excel workbook: status summary with conditional formatting, every value, native charts."""

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analytics import vocabulary as v
from analytics.presentation import status_badge
from analytics.reports.report_content import (
    IndicatorSlide,
    MethodSlide,
    PolicySlide,
    Report,
    SummarySlide,
    TrendSeries,
    ink_on,
)
from analytics.spreadsheets import save_workbook

SUMMARY_SHEET = "概要"
METHOD_SHEET = "評価方法"
OBSERVATION_SHEET = "調査結果"
_HEADER = PatternFill("solid", start_color="E4E7EC", end_color="E4E7EC")
_BOLD = Font(bold=True)
_CHART_ROWS = 19  # rows one indicator's 9 cm chart takes on a policy sheet, with a small gap


def render_xlsx(report: Report) -> bytes:
    """概要 (statuses, coloured by rule), 調査結果 (every value with n and error), one chart sheet per 基本方針."""
    workbook = Workbook()
    _summary_sheet(workbook.active, report)
    _observation_sheet(workbook.create_sheet(OBSERVATION_SHEET), report)
    for policy in report.slides_of(PolicySlide):
        slides = [s for s in report.slides_of(IndicatorSlide) if s.indicator["policy_code"] == policy.code]
        _policy_sheet(workbook.create_sheet(policy.label), policy, slides)
    _method_sheet(workbook.create_sheet(METHOD_SHEET), report.slides_of(MethodSlide)[0])
    for sheet in workbook.worksheets:
        # Printed (or converted to PDF), each sheet is as wide as one landscape A4 page.
        sheet.page_setup.orientation, sheet.page_setup.paperSize = "landscape", sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return save_workbook(workbook)


def _summary_sheet(sheet: Worksheet, report: Report) -> None:
    sheet.title = SUMMARY_SHEET
    sheet.append([f"{report.plan_name}　{report.levels[v.INDICATOR]}の進捗状況　{v.format_fiscal_year(report.year)}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"対象: {report.scope_label}　評価方法: {v.METHOD_LABELS[report.method]}"])
    if report.sample:
        sheet["A3"] = f"サンプル（架空）データ: {v.SAMPLE_NOTICE}"
        sheet["A3"].font = Font(bold=True, color="A14000")
    counts = report.slides_of(SummarySlide)[0].counts
    below = _write_table(sheet, counts, {}, top=5)
    indicators = report.indicators
    table = pd.DataFrame(
        {
            "指標": indicators["code"],
            "指標名": indicators["name"],
            report.levels[v.POLICY]: indicators["policy_code"],
            "回答者": indicators["respondent"],
            "年度": indicators["year"].astype("Int64"),
            "値": indicators["value"],
            "単位": indicators["unit"],
            "回答者数": indicators["respondents"],
            "誤差(±pt, 95%)": indicators["margin"],
            "基準値": indicators["baseline_value"],
            "目標値": indicators["target_value"],
            "進捗率(%)": indicators["progress_rate"],
            "目標達成ペース": indicators["expected"],
            "状況": indicators["status"].map(status_badge),
            "注意点": indicators["reasons"].map("\n".join),
            "所見": indicators["commentary"],
            "所見の記入": indicators["commentary_by"],
            "定義": indicators["definition"],
            "担当課": indicators["departments"],
            # The 誤差の範囲 notes, as on every slide and page: why a status is not lower.
            "注記": indicators["notes"].map("\n".join),
        }
    )
    formats = {"値": "0.0", "回答者数": "#,##0", "誤差(±pt, 95%)": "0.0", "進捗率(%)": "0", "目標達成ペース": "0.0"}
    _write_table(sheet, table, formats, top=below + 1)
    _colour_statuses(sheet)
    widths = {"A": 12, "B": 48, "N": 14, "O": 60, "P": 60, "Q": 24, "R": 40, "S": 24, "T": 60}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for column in "CDEFGHIJKLM":
        sheet.column_dimensions[column].width = 11


def _method_sheet(sheet: Worksheet, content: MethodSlide) -> None:
    """The appendix as one column of text, a heading row before each section's paragraphs."""
    sheet.append([content.heading])
    sheet["A1"].font = Font(bold=True, size=14)
    for heading, paragraphs in content.sections:
        sheet.append([])
        sheet.append([heading])
        sheet.cell(sheet.max_row, 1).font = _BOLD
        for text in paragraphs:
            sheet.append([text])
    sheet.append([])
    sheet.append([content.example])
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows():
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _observation_sheet(sheet: Worksheet, report: Report) -> None:
    overall = report.history.assign(code=report.history["indicator_code"])
    rows = pd.concat([overall, report.breakdowns.rename(columns={"year": "fiscal_year"})], ignore_index=True)
    names = dict(zip(report.indicators["code"], report.indicators["name"], strict=True))
    table = pd.DataFrame(
        {
            "年度": rows["fiscal_year"].astype(int),
            "年度（和暦）": rows["fiscal_year"].map(lambda year: v.format_fiscal_year(int(year))),
            "指標": rows["code"],
            "指標名": rows["code"].map(names),
            "区分": rows["dimension"].replace(v.OVERALL, "全体"),
            "区分値": rows["category"],
            "値": rows["value"],
            "単位": rows["unit"].astype(str),
            "回答者数": rows["respondents"],
            "誤差(±pt, 95%)": rows["margin"],
            "下限": rows["interval_low"],
            "上限": rows["interval_high"],
            "進捗率(%)": rows["progress_rate"],
            "状況": rows["status"].map(status_badge),
        }
    ).sort_values(["指標", "区分", "区分値", "年度"], kind="stable")
    formats = {
        "値": "0.0",
        "回答者数": "#,##0",
        "誤差(±pt, 95%)": "0.0",
        "下限": "0.0",
        "上限": "0.0",
        "進捗率(%)": "0",
    }
    _write_table(sheet, table, formats, top=1)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _colour_statuses(sheet)
    for column, width in {"B": 18, "D": 48, "F": 12, "N": 14}.items():
        sheet.column_dimensions[column].width = width


def _policy_sheet(sheet: Worksheet, policy: PolicySlide, slides: list[IndicatorSlide]) -> None:
    """Per indicator, its chart's data (years × series) and a native line chart drawn from those cells."""
    sheet.append([f"{policy.label}　{policy.name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    top = 3
    for slide in slides:
        series = slide.series
        indicator = slide.indicator
        sheet.cell(
            top, 1, f"{indicator['code']}　{indicator['name']}（{status_badge(indicator['status'])}）"
        ).font = _BOLD
        for index, header in enumerate(["年度", *TrendSeries.NAMES], start=1):
            cell = sheet.cell(top + 1, index, header)
            cell.font, cell.fill = _BOLD, _HEADER
        for offset, (year, *values) in enumerate(zip(series.years, *series.columns(), strict=True), start=2):
            sheet.cell(top + offset, 1, v.format_fiscal_year(year))
            for index, value in enumerate(values, start=2):
                sheet.cell(top + offset, index, value).number_format = "0.0"
        last = top + 1 + len(series.years)
        sheet.add_chart(_line_chart(sheet, indicator, top + 1, last), f"G{top}")
        top = max(last, top + _CHART_ROWS) + 2
    sheet.column_dimensions["A"].width = 18
    for column in "BCDE":
        sheet.column_dimensions[column].width = 13


def _line_chart(sheet: Worksheet, indicator: pd.Series, header: int, last: int) -> LineChart:
    # No chart title: the indicator's name heads its data block beside the chart.
    chart = LineChart()
    chart.height, chart.width = 9, 20
    chart.add_data(Reference(sheet, min_col=2, max_col=5, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    chart.y_axis.number_format = f'0"{indicator["unit"]}"'
    if indicator["unit"] == v.PERCENT:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    # openpyxl marks axes deleted unless told otherwise, and Excel then draws none.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    actual, path, baseline, target = chart.series
    _style(actual, v.STATUS_COLOURS[indicator["status"]], 28575, marker="circle")
    _style(path, "#555555", 19050, dash="dash")
    _style(baseline, "#555555", 12700)
    _style(target, "#555555", 0, marker="diamond")
    return chart


def _style(series, colour: str, width: int, *, marker: str = "none", dash: str | None = None) -> None:
    """Line colour and width (EMU; 0 hides the line), marker and dash of one chart series."""
    series.smooth = False
    series.marker.symbol = marker
    line = series.graphicalProperties.line
    if width == 0:
        line.noFill = True
    else:
        line.solidFill, line.width = colour.removeprefix("#"), width
    if dash:
        line.dashStyle = dash
    if marker != "none":
        series.marker.size = 8
        series.marker.graphicalProperties.solidFill = colour.removeprefix("#")
        series.marker.graphicalProperties.line.solidFill = colour.removeprefix("#")


def _write_table(sheet: Worksheet, frame: pd.DataFrame, formats: dict[str, str], *, top: int) -> int:
    """Header at row `top` and the rows below it; numbers stay numbers, missing values stay empty.
    Returns the first row after the table."""
    first = top
    for index, name in enumerate(frame.columns, start=1):
        cell = sheet.cell(first, index, name)
        cell.font, cell.fill = _BOLD, _HEADER
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    for offset, row in enumerate(frame.astype(object).itertuples(index=False), start=1):
        for index, (name, value) in enumerate(zip(frame.columns, row, strict=True), start=1):
            cell = sheet.cell(first + offset, index, None if pd.isna(value) else value)
            cell.alignment = wrap
            if name in formats:
                cell.number_format = formats[name]
    return first + len(frame) + 1


def _colour_statuses(sheet: Worksheet) -> None:
    """Colour every cell that shows a status by a conditional-format rule, so a status typed in by hand
    is coloured too; the word stays in the cell for readers who cannot tell the colours apart."""
    cells = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    for status in v.STATUSES:
        colour = v.STATUS_COLOURS[status].removeprefix("#")
        rule = CellIsRule(
            operator="equal",
            formula=[f'"{status_badge(status)}"'],
            fill=PatternFill("solid", start_color=colour, end_color=colour),
            font=Font(bold=True, color=ink_on(v.STATUS_COLOURS[status]).removeprefix("#")),
        )
        sheet.conditional_formatting.add(cells, rule)
