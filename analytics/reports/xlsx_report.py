"""The report as an Excel 評価シート book: status summary, every value, native charts, 施策評価シート, A4 printable."""

import math
import unicodedata
from collections.abc import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.legend import LegendEntry
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as DrawingFont
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from analytics import vocabulary as v
from analytics.charts import fit_axis
from analytics.presentation import status_badge
from analytics.reports.evaluation_sheet import EvaluationSheet
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
DETAIL_SHEET = "指標の詳細"
METHOD_SHEET = "評価方法"
OBSERVATION_SHEET = "調査結果"
# The city's PCs have Meiryo UI; charset 128 (Shift_JIS) makes Excel and LibreOffice fall back to
# another Japanese font where it is missing, never to a Latin one.
FONT_NAME = "Meiryo UI"
FONT_SIZE = 10
_JAPANESE_CHARSET = 128
# Column width units (Calibri 11 digits, 7 px) across A4 landscape between 0.5-inch side margins; a
# column takes its width plus 5 px. Every sheet is laid out within it, so that printing at 100%
# keeps 10 pt text above 9 pt.
PRINT_WIDTH = 146
COLUMN_PADDING = 5 / 7
_HEADER = PatternFill("solid", start_color="E4E7EC", end_color="E4E7EC")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_LINE_HEIGHT = 1.35  # a row's height per line of Meiryo UI, in multiples of its size
_CHART_HEIGHT_CM = 9


def render_xlsx(report: Report) -> bytes:
    """概要, 指標の詳細, 調査結果 (every value with n and error), a chart sheet per 基本方針, 評価方法,
    and one 施策評価シート per 基本施策 in scope; every sheet prints on A4 landscape."""
    workbook = Workbook()
    _summary_sheet(workbook.active, report)
    _detail_sheet(workbook.create_sheet(DETAIL_SHEET), report)
    _observation_sheet(workbook.create_sheet(OBSERVATION_SHEET), report)
    for policy in report.slides_of(PolicySlide):
        slides = [s for s in report.slides_of(IndicatorSlide) if s.indicator["policy_code"] == policy.code]
        _policy_sheet(workbook.create_sheet(policy.label), policy, slides)
    _method_sheet(workbook.create_sheet(METHOD_SHEET), report.slides_of(MethodSlide)[0])
    _add_evaluation_sheets(workbook, report.evaluation_sheets)
    _prepare_print(workbook, f"{report.plan_name}　{v.format_fiscal_year(report.year)}", report.sample)
    return save_workbook(workbook)


def render_evaluation_sheets(sheets: Iterable[EvaluationSheet], plan_name: str, year: int, sample: bool) -> bytes:
    """The 施策評価シート alone, one sheet per 基本施策, printed like the report's own."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _add_evaluation_sheets(workbook, sheets)
    _prepare_print(workbook, f"{plan_name}　{v.format_fiscal_year(year)}", sample)
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
    # The counts start in column B, whose width the indicator names need anyway.
    below = _write_table(sheet, counts, {}, top=5, left=2)
    indicators = report.indicators
    table = pd.DataFrame(
        {
            "指標": indicators["code"],
            "指標名": indicators["name"],
            "値": indicators["value"],
            "誤差(±pt)": _margins(indicators["margin"], indicators["unit"]),
            "基準値": indicators["baseline_value"],
            "目標値": indicators["target_value"],
            "進捗率(%)": indicators["progress_rate"],
            "状況": indicators["status"].map(status_badge),
            "注意点・注記": [_remarks(row) for _, row in indicators.iterrows()],
            "所見": indicators["commentary"],
        }
    )
    formats = {"値": "0.0", "誤差(±pt)": "0.0", "基準値": "0.0", "目標値": "0.0", "進捗率(%)": "0"}
    header = below + 1
    _write_table(sheet, table, formats, top=header)
    _colour_statuses(sheet)
    _set_widths(sheet, [7, 25, 7, 8, 7, 7, 8, 12, 37, 19])
    sheet.print_title_rows = f"{header}:{header}"
    sheet.freeze_panes = f"C{header + 1}"


def _detail_sheet(sheet: Worksheet, report: Report) -> None:
    """What 概要 leaves out to stay one page wide: who answers, n, the path's value, definition, 担当課."""
    indicators = report.indicators
    table = pd.DataFrame(
        {
            "指標": indicators["code"],
            "指標名": indicators["name"],
            report.levels[v.POLICY]: indicators["policy_code"],
            "回答者": indicators["respondent"],
            "年度": indicators["year"].astype("Int64"),
            "単位": indicators["unit"],
            "回答者数": indicators["respondents"],
            # A value in the indicator's unit, not a percentage of progress like 概要's 進捗率.
            "目標達成ペースの値": indicators["expected"],
            "所見の記入": indicators["commentary_by"],
            "定義": indicators["definition"],
            "担当課": indicators["departments"],
        }
    )
    _write_table(sheet, table, {"回答者数": "#,##0", "目標達成ペースの値": "0.0"}, top=1)
    _set_widths(sheet, [7, 26, 9, 7, 6, 5, 8, 10, 16, 27, 16])
    sheet.print_title_rows = "1:1"
    sheet.freeze_panes = "C2"


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
    sheet.column_dimensions["A"].width = PRINT_WIDTH - 6 - COLUMN_PADDING
    for row in sheet.iter_rows():
        row[0].alignment = _WRAP
    sheet.print_title_rows = "1:1"
    sheet.freeze_panes = "A2"


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
            "誤差(±pt)": _margins(rows["margin"], rows["unit"]),
            "下限": rows["interval_low"],
            "上限": rows["interval_high"],
            "進捗率(%)": rows["progress_rate"],
            "状況": rows["status"].map(status_badge),
        }
    ).sort_values(["指標", "区分", "区分値", "年度"], kind="stable")
    formats = {
        "値": "0.0",
        "回答者数": "#,##0",
        "誤差(±pt)": "0.0",
        "下限": "0.0",
        "上限": "0.0",
        "進捗率(%)": "0",
    }
    _write_table(sheet, table, formats, top=1)
    sheet.auto_filter.ref = sheet.dimensions
    _colour_statuses(sheet)
    _set_widths(sheet, [6, 15, 6, 34, 6, 9, 6, 5, 8, 8, 6, 6, 8, 12])
    sheet.print_title_rows = "1:1"
    sheet.freeze_panes = "A2"


def _policy_sheet(sheet: Worksheet, policy: PolicySlide, slides: list[IndicatorSlide]) -> None:
    """Per indicator, its chart's data (years × series) and a native line chart drawn from those cells,
    one indicator per printed page so that no chart is cut by a page break."""
    sheet.append([f"{policy.label}　{policy.name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    top = 3
    # Rows are FONT_SIZE × _LINE_HEIGHT points high; the chart spans this many of them, plus a gap.
    chart_rows = math.ceil(_CHART_HEIGHT_CM / 2.54 * 72 / _row_points(FONT_SIZE)) + 1
    for number, slide in enumerate(slides):
        if number:
            sheet.row_breaks.append(Break(id=top - 1))
        series = slide.series
        indicator = slide.indicator
        sheet.cell(
            top, 1, f"{indicator['code']}　{indicator['name']}（{status_badge(indicator['status'])}）"
        ).font = _BOLD
        for index, header in enumerate(["年度", *TrendSeries.DRAWN_NAMES], start=1):
            cell = sheet.cell(top + 1, index, header)
            cell.font, cell.fill, cell.alignment = _BOLD, _HEADER, _WRAP
        # The series names are longer than their narrow number columns: three lines show them whole.
        sheet.row_dimensions[top + 1].height = 3 * _row_points(FONT_SIZE)
        for offset, (year, *values) in enumerate(zip(series.years, *series.drawn_columns(), strict=True), start=2):
            sheet.cell(top + offset, 1, v.format_fiscal_year(year))
            for index, value in enumerate(values, start=2):
                sheet.cell(top + offset, index, value).number_format = "0.0"
        last = top + 1 + len(series.years)
        sheet.add_chart(_line_chart(sheet, indicator, series, top + 1, last), f"J{top + 1}")
        top = max(last, top + 1 + chart_rows) + 2
    _set_widths(sheet, [13, 6, 6, 6, 7, 7, 6, 6, 1])
    sheet.print_title_rows = "1:1"
    sheet.freeze_panes = "A2"


def _line_chart(sheet: Worksheet, indicator: pd.Series, series: TrendSeries, header: int, last: int) -> LineChart:
    # No chart title: the indicator's name heads its data block beside the chart.
    chart = LineChart()
    chart.height, chart.width = _CHART_HEIGHT_CM, 11
    columns = len(TrendSeries.DRAWN_NAMES)
    chart.add_data(
        Reference(sheet, min_col=2, max_col=1 + columns, min_row=header, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    chart.y_axis.number_format = f'0"{indicator["unit"]}"'
    # Fitted to the values, baseline and target like the dashboard's chart, so a fall of a few points shows.
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = fit_axis([series.value_range()], indicator["unit"])
    # openpyxl marks axes deleted unless told otherwise, and Excel then draws none.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.legend.legendEntry = [LegendEntry(idx=2, delete=True)]  # the band's lower line: the upper one names it
    for part in (chart.x_axis, chart.y_axis, chart.legend):
        part.txPr = _chart_text()
    actual, band_high, band_low, path, trend, baseline, target = chart.series
    colour = v.STATUS_COLOURS[indicator["status"]]
    _style(actual, colour, 28575, marker="circle")
    for bound in (band_high, band_low):  # the 95% band as two thin dashed lines, as on the slides
        _style(bound, "#8A94A3", 9525, dash="dash")
    _style(path, "#555555", 19050, dash="lgDash")
    _style(trend, colour, 19050, dash="sysDot")  # the projection the reasons quote
    _style(baseline, "#555555", 12700)
    _style(target, "#555555", 0, marker="diamond")
    return chart


def _chart_text() -> RichText:
    """Chart text in the Japanese font at 10 pt (a:ea for the East Asian characters, like every cell)."""
    properties = CharacterProperties(
        lang="ja-JP", sz=FONT_SIZE * 100, latin=DrawingFont(typeface=FONT_NAME), ea=DrawingFont(typeface=FONT_NAME)
    )
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=properties), endParaRPr=properties)])


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


def _add_evaluation_sheets(workbook: Workbook, sheets: Iterable[EvaluationSheet]) -> None:
    for content in sheets:
        _evaluation_sheet(workbook.create_sheet(content.label[:31]), content)


def _evaluation_sheet(sheet: Worksheet, content: EvaluationSheet) -> None:
    """One 基本施策: both evaluations on top, then its indicators and its 取組, seven columns wide."""
    sheet.append([content.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"{content.policy_label}　担当課: {content.departments}"])
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
    evaluations = content.tabulate_evaluations()
    evaluations = [tuple(evaluations.columns), *evaluations.itertuples(index=False)]
    for row, (label, grade, reason) in enumerate(evaluations, start=4):
        # Label over A:B and reason over D:G, so the block lines up with the tables below.
        for column, value in ((1, label), (3, grade), (4, reason)):
            cell = sheet.cell(row, column, value)
            cell.alignment = _WRAP
            if row == 4 or column == 1:
                cell.font, cell.fill = _BOLD, _HEADER
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=7)
    top = _section(sheet, "指標の状況", 9)
    below = _write_table(sheet, content.indicators, {}, top=top)
    for row in range(top, below - 1):
        sheet.merge_cells(start_row=row, start_column=6, end_row=row, end_column=7)
    top = _section(sheet, f"{content.actions.columns[1]}の実施状況", below + 1)
    _write_table(sheet, content.actions, {}, top=top)
    _colour_statuses(sheet)
    _set_widths(sheet, [7, 27, 15, 15, 33, 29, 12])
    sheet.print_title_rows = "1:2"
    sheet.freeze_panes = "A3"


def _section(sheet: Worksheet, heading: str, row: int) -> int:
    sheet.cell(row, 1, heading).font = Font(bold=True, size=11)
    return row + 1


def _write_table(sheet: Worksheet, frame: pd.DataFrame, formats: dict[str, str], *, top: int, left: int = 1) -> int:
    """Header at row `top` and the rows below it from column `left`; numbers stay numbers, missing
    values stay empty, text wraps. Returns the first row after the table."""
    for index, name in enumerate(frame.columns, start=left):
        cell = sheet.cell(top, index, name)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER, _WRAP
    for offset, row in enumerate(frame.astype(object).itertuples(index=False), start=1):
        for index, (name, value) in enumerate(zip(frame.columns, row, strict=True), start=left):
            cell = sheet.cell(top + offset, index, None if pd.isna(value) else value)
            cell.alignment = _WRAP
            if name in formats:
                cell.number_format = formats[name]
    return top + len(frame) + 1


def _margins(margins: pd.Series, units: pd.Series) -> pd.Series:
    """A count has no sampling error: its margin cell stays blank instead of reading 0.0."""
    return margins.where(units == v.PERCENT)


def _remarks(indicator: pd.Series) -> str:
    """The reasons (flags) and the notes, among them 「誤差の範囲」, one per line."""
    return "\n".join(
        [*(f"⚑ {reason}" for reason in indicator["reasons"]), *(f"※ {note}" for note in indicator["notes"])]
    )


def _set_widths(sheet: Worksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _colour_statuses(sheet: Worksheet) -> None:
    """Colour every cell that shows a status by a conditional-format rule, so a status typed in by hand,
    with or without its symbol, is coloured too; the word stays for readers who cannot tell colours apart."""
    cells = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    for status in v.STATUSES:
        colour = v.STATUS_COLOURS[status].removeprefix("#")
        badge = status_badge(status)
        # A1 is relative: the rule is judged for every cell of the range. 「○ 順調（誤差を考えると…）」 counts too.
        word = v.STATUS_LABELS[status]
        formula = f'OR(TRIM(A1)="{word}",A1="{badge}",LEFT(A1,{len(badge) + 1})="{badge}（")'
        rule = FormulaRule(
            formula=[formula],
            fill=PatternFill("solid", start_color=colour, end_color=colour, bgColor=colour),
            font=Font(bold=True, color=ink_on(v.STATUS_COLOURS[status]).removeprefix("#")),
        )
        sheet.conditional_formatting.add(cells, rule)


def _prepare_print(workbook: Workbook, heading: str, sample: bool) -> None:
    """Every sheet: A4 landscape one page wide, plan and year on top, page x / y and the sample notice
    below, the Japanese font on every cell, and rows tall enough for every wrapped line."""
    notice = f"サンプル（架空）データ: {v.SAMPLE_NOTICE}" if sample else ""
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.page_margins.top = sheet.page_margins.bottom = 0.75
        sheet.print_options.horizontalCentered = True
        # "&" starts a code in header text (&P page, &N pages, &A sheet name); a literal one is doubled.
        parts = (
            (sheet.oddHeader.left, heading.replace("&", "&&")),
            (sheet.oddHeader.right, "&A"),
            (sheet.oddFooter.left, notice.replace("&", "&&")),
            (sheet.oddFooter.right, "&P / &N"),
        )
        for part, text in parts:
            if text:
                part.text, part.font, part.size = text, FONT_NAME, 9
        _set_fonts(sheet)
        _fit_rows(sheet)


def _set_fonts(sheet: Worksheet) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            font = cell.font
            cell.font = Font(
                name=FONT_NAME,
                charset=_JAPANESE_CHARSET,
                size=font.size if font.size and font.size != 11 else FONT_SIZE,
                bold=font.bold,
                color=font.color,
            )


def _fit_rows(sheet: Worksheet) -> None:
    """Set each row's height to show every line of its wrapped cells: neither Excel nor LibreOffice
    grows a row on opening a file, so only the first line would print."""
    spans = {
        (merged.min_row, merged.min_col): range(merged.min_col, merged.max_col + 1)
        for merged in sheet.merged_cells.ranges
    }
    for row in sheet.iter_rows():
        heights = []
        for cell in row:
            if cell.value is None or not hasattr(cell, "column"):
                continue
            columns = spans.get((cell.row, cell.column), [cell.column])
            width = sum(sheet.column_dimensions[get_column_letter(c)].width for c in columns)
            size = cell.font.size or FONT_SIZE
            lines = _count_lines(str(cell.value), width, size) if cell.alignment.wrap_text else 1
            heights.append(lines * _row_points(size))
        if heights:
            sheet.row_dimensions[row[0].row].height = max(heights)


def _count_lines(text: str, width: float, size: float) -> int:
    """Lines a text takes in a column `width` units wide: a full-width character is about 1.8 units at
    10 pt, a half-width one about 1."""
    usable = max(width - 1, 1)
    return sum(
        max(
            1,
            math.ceil(
                sum(1.8 if unicodedata.east_asian_width(c) in "WFA" else 1.0 for c in line) * size / FONT_SIZE / usable
            ),
        )
        for line in text.split("\n")
    )


def _row_points(size: float) -> float:
    return round(size * _LINE_HEIGHT + 1, 1)
