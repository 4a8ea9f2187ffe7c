"""The report as a PowerPoint file: native, editable charts and tables, Japanese set in a Japanese font."""

import io
import math
import unicodedata

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide as PptxSlide
from pptx.text.text import Font, TextFrame
from pptx.util import Emu, Inches, Pt

from analytics import vocabulary as v
from analytics.presentation import format_value, status_badge
from analytics.reports.report_content import (
    IndicatorSlide,
    MethodSlide,
    PolicySlide,
    Report,
    SummarySlide,
    TitleSlide,
    TrendSeries,
    ink_on,
    status_of_badge,
)

# Office on the city's Windows PCs has Meiryo UI; where it is missing (LibreOffice on Linux) the
# East Asian fallback picks a Japanese font by the runs' lang="ja-JP", e.g. Noto Sans CJK JP.
FONT = "Meiryo UI"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.45)
_INK = "#1F2933"
_MUTED = "#5F6B7A"
_GUIDE = "#555555"
_RULE = "#C9CED6"
_HEADER_FILL = "#E4E7EC"
_PANEL_FILL = "#F3F4F6"
_NOTICE = "#A14000"
SHEET_SLIDES = 2  # slides per 施策評価シート
_RECENT_WIDTHS = {
    "年度": 1.65,
    "値": 0.7,
    "回答者数": 0.85,
    "誤差(95%)": 0.95,
    "前年度からの変化": 1.05,
    "変化の判定": 1.25,
    "計画線との差": 1.45,
    "状況": 1.3,
}


def render_pptx(report: Report) -> bytes:
    """A 16:9 deck: title, summary, then each 基本方針 followed by its indicators, one slide each."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    for number, content in enumerate(report.slides, start=1):
        slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank: every shape is placed here
        _DRAW[type(content)](slide, content)
        _footer(slide, report, number)
    _add_sheet_slides(deck, report)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _title(slide: PptxSlide, content: TitleSlide) -> None:
    _text(slide, (MARGIN, Inches(2.0), WIDTH - 2 * MARGIN, Inches(1.2)), [(content.plan_name, 34, True, _INK)])
    _text(slide, (MARGIN, Inches(3.2), WIDTH - 2 * MARGIN, Inches(0.8)), [(content.heading, 26, False, _INK)])
    lines = [(detail, 18, False, _MUTED) for detail in content.details]
    _text(slide, (MARGIN, Inches(4.3), WIDTH - 2 * MARGIN, Inches(1.6)), lines)


def _summary(slide: PptxSlide, content: SummarySlide) -> None:
    _text(slide, (MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.7)), [(content.heading, 28, True, _INK)])
    top = Inches(1.15)
    if content.counts is not None:
        widths = [1.6, 0.9, *[1.35] * len(v.STATUSES), 1.83]
        top = _table(slide, content.counts, top, widths, 14) + Inches(0.2)
        heading = f"要注意の指標（{len(content.flagged)}）" if len(content.flagged) else "要注意の指標はありません"
        _text(slide, (MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.45)), [(heading, 18, True, _INK)])
        top += Inches(0.5)
    if len(content.flagged):
        _table(slide, content.flagged, top, [1.5, 4.5, 6.43], 13)


def _policy(slide: PptxSlide, content: PolicySlide) -> None:
    _heading(slide, content.label, content.name)
    tile_width = (WIDTH - 2 * MARGIN - Inches(0.1) * len(v.STATUSES)) / (len(v.STATUSES) + 1.6)
    summary = (MARGIN, Inches(1.6), int(tile_width * 1.6), Inches(0.85))
    _tile(slide, summary, f"まとめ\n{status_badge(content.status)}", content.status, 18)
    left = MARGIN + int(tile_width * 1.6) + Inches(0.1)
    for status in v.STATUSES:
        box = (left, Inches(1.6), int(tile_width), Inches(0.85))
        _tile(slide, box, f"{status_badge(status)}\n{int(content.counts[status])}指標", status, 15)
        left += int(tile_width) + Inches(0.1)
    _table(slide, content.table, Inches(2.7), [0.8, 6.0, 3.1, 0.9, 1.63], 14)


def _indicator(slide: PptxSlide, content: IndicatorSlide) -> None:
    indicator = content.indicator
    _heading(
        slide, f"{content.policy_label}　回答者: {indicator['respondent']}", f"{indicator['code']}　{indicator['name']}"
    )
    left_width, right = Inches(7.75), MARGIN + Inches(7.95)
    right_width = WIDTH - MARGIN - right
    _chart(slide, content.series, indicator, (MARGIN, Inches(1.45), left_width, Inches(3.35)))
    widths = [_RECENT_WIDTHS[column] for column in content.recent.columns]
    stretch = 7.75 / sum(widths)  # a count's table has fewer columns; they share the same width
    _table(slide, content.recent, Inches(4.9), [width * stretch for width in widths], 12)
    _tile(
        slide,
        (right, Inches(1.45), right_width, Inches(0.7)),
        status_badge(indicator["status"]),
        indicator["status"],
        24,
    )
    lines = [(fact, 14, index == 0, _INK) for index, fact in enumerate(content.facts)]
    lines += [(f"⚑ {reason}", 13, False, _INK) for reason in indicator["reasons"]]
    _text(slide, (right, Inches(2.2), right_width, Inches(2.7)), lines)
    panel = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, right, Inches(4.9), right_width, Inches(1.95))
    _fill(panel, _PANEL_FILL)
    panel.shadow.inherit = False
    # Up to five lines at 14pt fit beside the table; a longer 所見 (up to COMMENTARY_LIMIT) drops to 12pt.
    size = 14 if _lines(content.commentary, right_width / Inches(1) - 0.2, 14) <= 5 else 12
    comment = [(content.commentary, size, False, _INK), (content.commentary_by, 11, False, _MUTED)]
    empty = [("（この年度の所見はまだありません）", 13, False, _MUTED)]
    _write(panel.text_frame, [("所見", 14, True, _INK), *(comment if content.commentary else empty)], PP_ALIGN.LEFT)
    panel.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    panel.text_frame.word_wrap = True


def _method(slide: PptxSlide, content: MethodSlide) -> None:
    _text(slide, (MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(0.7)), [(content.heading, 24, True, _INK)])
    lines = []
    for heading, paragraphs in content.sections:
        lines += [(heading, 13, True, _INK), *((text, 10, False, _INK) for text in paragraphs)]
    lines.append((content.example, 10, True, _INK))
    _text(slide, (MARGIN, Inches(1.0), WIDTH - 2 * MARGIN, Inches(5.9)), lines)


def _add_sheet_slides(deck: Presentation, report: Report) -> None:
    """Per 基本施策 two slides after the report's own: its evaluations and indicators, then its 取組."""
    number = len(report.slides)
    for sheet in report.evaluation_sheets:
        first = deck.slides.add_slide(deck.slide_layouts[6])
        _heading(
            first, f"施策評価シート　{sheet.policy_label}　担当課: {sheet.departments}", f"{sheet.label}　{sheet.name}"
        )
        top = _table(first, sheet.tabulate_evaluations(), Inches(1.45), [2.0, 3.6, 6.83], 13) + Inches(0.15)
        _table(first, sheet.indicators[["指標", "指標名", "値", "状況"]], top, [0.7, 4.6, 2.6, 4.53], 12)
        second = deck.slides.add_slide(deck.slide_layouts[6])
        action_level = sheet.actions.columns[1]
        _heading(second, f"施策評価シート　{sheet.label}　{sheet.name}", f"{action_level}の実施状況")
        columns = ["コード", action_level, "実施状況", "実績", "課題", "今後の方向性"]
        _table(second, sheet.actions[columns], Inches(1.45), [0.75, 3.0, 1.5, 3.8, 2.2, 1.18], 14)
        for slide in (first, second):
            number += 1
            _footer(slide, report, number)


_DRAW = {
    TitleSlide: _title,
    SummarySlide: _summary,
    PolicySlide: _policy,
    IndicatorSlide: _indicator,
    MethodSlide: _method,
}


def _heading(slide: PptxSlide, label: str, title: str) -> None:
    # A long indicator name drops to 20pt so that it stays on one line above the chart.
    size = 24 if _lines(title, 12.4, 24) == 1 else 20
    lines = [(label, 14, False, _MUTED), (title, size, True, _INK)]
    _text(slide, (MARGIN, Inches(0.2), WIDTH - 2 * MARGIN, Inches(1.2)), lines)


def _footer(slide: PptxSlide, report: Report, number: int) -> None:
    if report.sample:
        notice = f"サンプル（架空）データ: {v.SAMPLE_NOTICE}"
        _text(slide, (MARGIN, Inches(7.0), Inches(11.0), Inches(0.4)), [(notice, 11, True, _NOTICE)])
    page = f"{number} / {len(report.slides) + SHEET_SLIDES * len(report.evaluation_sheets)}"
    box = _text(
        slide, (WIDTH - MARGIN - Inches(1.2), Inches(7.0), Inches(1.2), Inches(0.4)), [(page, 11, False, _MUTED)]
    )
    box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _chart(slide: PptxSlide, series: TrendSeries, indicator: pd.Series, box: tuple) -> None:
    """A line chart with markers whose data sit in the deck, so that staff can edit it in PowerPoint."""
    unit = indicator["unit"]
    data = CategoryChartData(number_format="0.0")
    data.categories = [f"{v.format_era_year(year)}\n({year})" for year in series.years]
    for name, values in zip(TrendSeries.NAMES, series.columns(), strict=True):
        data.add_series(name, values)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box, data).chart
    _set_font(chart.font, 12, colour=_INK)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    _set_font(chart.legend.font, 12, colour=_INK)
    _set_font(chart.category_axis.tick_labels.font, 11, colour=_INK)
    axis = chart.value_axis
    axis.tick_labels.number_format = f'0"{unit}"'
    axis.tick_labels.number_format_is_linked = False
    axis.major_gridlines.format.line.color.rgb = _rgb(_RULE)
    if unit == v.PERCENT:
        axis.minimum_scale, axis.maximum_scale = 0, 100
    actual, path, baseline, target = chart.plots[0].series
    colour = v.STATUS_COLOURS[indicator["status"]]
    _line(actual, colour, 3.0)
    actual.marker.style, actual.marker.size = XL_MARKER_STYLE.CIRCLE, 8
    _fill(actual.marker.format, colour)
    _line(path, _GUIDE, 1.75, MSO_LINE.DASH)
    _line(baseline, _GUIDE, 1.0)
    target.format.line.fill.background()
    target.marker.style, target.marker.size = XL_MARKER_STYLE.DIAMOND, 12
    _fill(target.marker.format, _GUIDE)
    for plotted in (path, baseline):
        plotted.marker.style = XL_MARKER_STYLE.NONE
    observed = [i for i, value in enumerate(series.actual) if value is not None]
    if observed:  # an indicator new to the plan may have no value yet
        _label(actual.points[observed[-1]], format_value(series.actual[observed[-1]], unit), XL_LABEL_POSITION.ABOVE)
    _label(target.points[series.target.index(indicator["target_value"])], "目標", XL_LABEL_POSITION.RIGHT)


def _label(point, text: str, position: XL_LABEL_POSITION) -> None:
    label = point.data_label
    label.position = position
    _write(label.text_frame, [(text, 12, True, _INK)])


def _line(series, colour: str, width: float, dash: MSO_LINE | None = None) -> None:
    series.smooth = False
    line = series.format.line
    line.color.rgb, line.width = _rgb(colour), Pt(width)
    if dash is not None:
        line.dash_style = dash


def _table(slide: PptxSlide, frame: pd.DataFrame, top: int, widths: list[float], size: int) -> int:
    """A table of strings; cells that show a status are filled in its colour. Returns its bottom edge."""
    rows = [list(map(str, frame.columns)), *([str(value) for value in row] for row in frame.itertuples(index=False))]
    heights = [max(_lines(text, width, size) for text, width in zip(row, widths, strict=True)) for row in rows]
    heights = [Pt(max(size * 2.1, lines * size * 1.3 + 6)) for lines in heights]
    shape = slide.shapes.add_table(len(rows), len(widths), MARGIN, top, Inches(sum(widths)), sum(heights))
    table = shape.table
    # python-pptx starts from a theme style with blue banding; every cell's fill is set here instead.
    table.first_row, table.horz_banding = True, False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Inches(width)
    for row_index, (row, height) in enumerate(zip(rows, heights, strict=True)):
        table.rows[row_index].height = height
        for index, text in enumerate(row):
            _cell(table.cell(row_index, index), text, size, header=row_index == 0)
    return top + sum(heights)


def _lines(text: str, width: float, size: int) -> int:
    """How many lines `text` takes in a cell `width` inches wide. Rows are sized from this because
    LibreOffice keeps a row's stored height and clips what does not fit, where PowerPoint grows it.
    Full-width characters are as wide as the font size, others about half of it."""
    usable = (width - 0.14) * 72
    widths = [
        sum(size if unicodedata.east_asian_width(c) in "WFA" else size * 0.65 for c in line)
        for line in text.split("\n")
    ]
    return sum(max(1, math.ceil(points / usable)) for points in widths)


def _cell(cell, text: str, size: int, *, header: bool) -> None:
    status = status_of_badge(text)
    fill = v.STATUS_COLOURS[status] if status else _HEADER_FILL if header else "#FFFFFF"
    cell.fill.solid()
    cell.fill.fore_color.rgb = _rgb(fill)
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    colour = ink_on(fill) if status else _INK
    lines = [(line, size, header or status is not None, colour) for line in text.split("\n")]
    _write(cell.text_frame, lines, spacing=0)


def _tile(slide: PptxSlide, box: tuple, text: str, status: str, size: int) -> None:
    """A box in the status colour that also says the status in words (colour is never the only cue)."""
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *box)
    colour = v.STATUS_COLOURS[status]
    _fill(shape, colour)
    shape.shadow.inherit = False
    shape.adjustments[0] = 0.12
    lines = [(line, size, True, ink_on(colour)) for line in text.split("\n")]
    _write(shape.text_frame, lines, PP_ALIGN.CENTER)
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE


def _fill(formatted, colour: str) -> None:
    """Fill and outline in one colour; `formatted` is a shape or a chart element's format."""
    formatted.fill.solid()
    formatted.fill.fore_color.rgb = _rgb(colour)
    formatted.line.color.rgb = _rgb(colour)


def _text(slide: PptxSlide, box: tuple, lines: list[tuple[str, int, bool, str]]):
    shape = slide.shapes.add_textbox(*(Emu(int(value)) for value in box))
    shape.text_frame.word_wrap = True
    _write(shape.text_frame, lines)
    return shape


def _write(
    frame: TextFrame, lines: list[tuple[str, int, bool, str]], align: PP_ALIGN | None = None, spacing: float = 0.3
) -> None:
    """One paragraph per (text, size, bold, colour), each run in the Japanese font; `spacing` after
    each paragraph is a fraction of its font size."""
    frame.clear()
    for index, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(size * spacing)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = text
        _set_font(run.font, size, bold=bold, colour=colour)


def _set_font(font: Font, size: int, *, bold: bool = False, colour: str) -> None:
    """Size, weight, colour and both typefaces: Latin and East Asian (a:ea), which PowerPoint uses for
    Japanese. python-pptx only sets the Latin one, so the a:ea element is written here."""
    font.size, font.bold, font.name = Pt(size), bold, FONT
    font.color.rgb = _rgb(colour)
    properties = font._element  # python-pptx has no API for a:ea; its Font keeps the a:rPr here
    properties.set("lang", "ja-JP")
    east_asian = properties.find(qn("a:ea"))
    if east_asian is None:
        east_asian = etree.SubElement(properties, qn("a:ea"))
        properties.find(qn("a:latin")).addnext(east_asian)
    east_asian.set("typeface", FONT)


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.removeprefix("#"))
