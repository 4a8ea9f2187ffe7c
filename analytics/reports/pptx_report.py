"""The report as a PowerPoint file on the city's template: titled slides, native charts, Japanese fonts."""

import io
import math
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.exc import PackageNotFoundError
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout
from pptx.text.text import Font, TextFrame
from pptx.util import Emu, Inches, Pt

from analytics import vocabulary as v
from analytics.charts import fit_axis
from analytics.evaluation_settings import SETTINGS_PATH, SettingsError
from analytics.presentation import status_badge
from analytics.reports.evaluation_sheet import EvaluationSheet
from analytics.reports.report_content import (
    GuideSlide,
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
DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent.parent / "data" / "report_template.pptx"
# Read from a council chamber's back row: no body text below this, footers and chart labels aside.
BODY_SIZE = 18
TITLE_SIZE = 28
FOOTER_SIZE = 14
CHART_SIZE = 14
FOOTER_NAME = "フッター"
_INK = "#1F2933"
_MUTED = "#5F6B7A"
_GUIDE = "#555555"
_BAND = "#8A94A3"
_RULE = "#C9CED6"
_HEADER_FILL = "#E4E7EC"
_NOTICE = "#A14000"
_TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
# Placeholders a layout may carry besides its title that the report leaves to the master (footers).
_FURNITURE = (PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER)


class TemplateError(ValueError):
    """A PowerPoint template that cannot carry the report; the message says which file and what to fix."""


Line = tuple[str, int, bool, str]


@dataclass(frozen=True)
class _Layouts:
    """The template's layouts the report builds on, found by their placeholders, not their position."""

    title_slide: SlideLayout
    title_only: SlideLayout


def configured_template(path: Path = SETTINGS_PATH) -> Path:
    """The template named by `[reports] template` in the settings file (relative to its folder), else the
    one shipped in data/, so that the 報告書出力 page and `export` build on the same master."""
    try:
        section = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("reports", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{Path(path).name}: 設定ファイルを読めません（{error}）。") from error
    unknown = sorted(set(section) - {"template"})
    if unknown:
        raise SettingsError(
            f"{Path(path).name} の [reports] に知らない項目「{unknown[0]}」があります。綴りを確かめてください。"
        )
    name = section.get("template")
    return DEFAULT_TEMPLATE if not name else Path(path).parent / str(name)


def check_template(template: Path | None = None) -> Path:
    """The template the deck will be built on (the configured one when left out), once it opens and has a
    title layout, so that a page can say what is wrong before anything is built."""
    template = template or configured_template()
    _find_layouts(_open_template(template), template)
    return template


def render_pptx(report: Report, template: Path | None = None) -> bytes:
    """A deck on the template's own master (the configured one when left out): title, summary, the guide
    to reading it, then each 基本方針 followed by its indicators, and the method appendix."""
    template = template or configured_template()
    deck = _open_template(template)
    layouts = _find_layouts(deck, template)
    for content in report.slides:
        _DRAW[type(content)](deck, layouts, content)
    for sheet in report.evaluation_sheets:
        _evaluation_sheet(deck, layouts, sheet)
    total = len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        _footer(deck, slide, report.sample, f"{number} / {total}")
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _open_template(path: Path) -> Deck:
    try:
        deck = Presentation(str(path))
    except (OSError, PackageNotFoundError, zipfile.BadZipFile, KeyError) as error:
        raise TemplateError(
            f"テンプレート「{path}」を PowerPoint ファイル（.pptx）として開けないため、"
            "PowerPoint で .pptx 形式として保存し直すか、設定の [reports] template を確かめてください。"
        ) from error
    # A template saved with example slides keeps only its master and layouts.
    slide_ids = deck.slides._sldIdLst
    for slide_id in list(slide_ids):
        deck.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    return deck


def _find_layouts(deck: Deck, path: Path) -> _Layouts:
    """A layout with a title and nothing else to fill (Title Only), else the one with least besides its
    title (Title and Content); the title slide's layout by its centred title (Title Slide)."""

    def kinds(layout: SlideLayout) -> list:
        return [placeholder.placeholder_format.type for placeholder in layout.placeholders]

    titled = [layout for layout in deck.slide_layouts if PP_PLACEHOLDER.TITLE in kinds(layout)]
    if not titled:
        raise TemplateError(
            f"テンプレート「{path.name}」にタイトルのプレースホルダーを持つレイアウト（「タイトルのみ」など）がないため、"
            "スライドマスターにタイトル付きのレイアウトを加えてから指定してください。"
        )
    title_only = min(titled, key=lambda layout: len([k for k in kinds(layout) if k not in (*_TITLES, *_FURNITURE)]))
    centred = [layout for layout in deck.slide_layouts if PP_PLACEHOLDER.CENTER_TITLE in kinds(layout)]
    return _Layouts(title_slide=centred[0] if centred else title_only, title_only=title_only)


def _add_slide(deck: Deck, layout: SlideLayout, title: str) -> tuple[PptxSlide, int]:
    """A slide on `layout` with its title placeholder filled (the outline and accessibility checkers read
    it) and every other placeholder removed; returns the slide and the top of the space below the title."""
    slide = deck.slides.add_slide(layout)
    heading = next(shape for shape in slide.placeholders if shape.placeholder_format.type in _TITLES)
    for placeholder in list(slide.placeholders):
        if placeholder._element is not heading._element:
            placeholder._element.getparent().remove(placeholder._element)
    size = TITLE_SIZE if _lines(title, heading.width / Inches(1), TITLE_SIZE) == 1 else TITLE_SIZE - 4
    _write(heading.text_frame, [(title, size, True, _INK)], PP_ALIGN.LEFT)
    heading.text_frame.word_wrap = True
    return slide, heading.top + heading.height + Inches(0.1)


def _title(deck: Deck, layouts: _Layouts, content: TitleSlide) -> None:
    slide = deck.slides.add_slide(layouts.title_slide)
    heading = next(shape for shape in slide.placeholders if shape.placeholder_format.type in _TITLES)
    _write(heading.text_frame, [(content.plan_name, 36, True, _INK)])
    heading.text_frame.word_wrap = True
    lines = [(content.heading, 28, False, _INK), *((detail, BODY_SIZE, False, _MUTED) for detail in content.details)]
    subtitle = next(
        (shape for shape in slide.placeholders if shape.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE), None
    )
    for placeholder in list(slide.placeholders):
        if placeholder not in (heading, subtitle):
            placeholder._element.getparent().remove(placeholder._element)
    if subtitle is None:
        top = heading.top + heading.height + Inches(0.2)
        _text(slide, (_margin(deck), top, deck.slide_width - 2 * _margin(deck), Inches(3)), lines)
    else:
        _write(subtitle.text_frame, lines)
        # A city's subtitle box may be smaller than six lines: shrink the text rather than overflow the footer.
        subtitle.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE


def _summary(deck: Deck, layouts: _Layouts, content: SummarySlide) -> None:
    width = _body_width(deck)
    if content.counts is not None:
        slide, top = _add_slide(deck, layouts.title_only, content.heading)
        widths = _widths(deck, [1.4, 0.85, *[1.05] * len(v.STATUSES), 1.4])
        top = _table(slide, content.counts, (_margin(deck), top), widths, BODY_SIZE) + Inches(0.3)
        advice = f"{content.flagged_heading}は、次のスライドから悪い順に理由とともに示します。"
        text = advice if content.flagged_total else f"{content.flagged_heading}。"
        _text(slide, (_margin(deck), top, Inches(width), Inches(0.6)), [(text, 20, True, _INK)])
        return
    _table_slides(deck, layouts, content.heading, content.flagged, _widths(deck, [3.0, 3.6, 5.8]))


def _guide(deck: Deck, layouts: _Layouts, content: GuideSlide) -> None:
    slide, top = _add_slide(deck, layouts.title_only, content.heading)
    width, left = _body_width(deck), _margin(deck)
    box = _text(slide, (left, top, Inches(width), Inches(0.9)), [(content.rule, 20, False, _INK)])
    top = box.top + Inches(0.15 + 0.4 * _lines(content.rule, width, 20))
    statuses = pd.DataFrame(content.statuses, columns=["状況", "意味"])
    keys = pd.DataFrame(content.chart_keys, columns=["グラフの線", "意味"])
    if width < 11:  # a 4:3 template has no room for the two tables side by side at 18pt
        _table(slide, statuses, (left, top), [width * 0.3, width * 0.7], BODY_SIZE)
        _table_slides(deck, layouts, f"{content.heading}（続き）", keys, [width * 0.3, width * 0.7])
        return
    half = (width - 0.2) / 2
    _table(slide, statuses, (left, top), [half * 0.36, half * 0.64], BODY_SIZE)
    _table(slide, keys, (left + Inches(half + 0.2), top), [half * 0.36, half * 0.64], BODY_SIZE)


def _policy(deck: Deck, layouts: _Layouts, content: PolicySlide) -> None:
    width = _body_width(deck)
    title = f"{content.label}　{content.name}"
    slide, top = _add_slide(deck, layouts.title_only, title)
    tiles = len(v.STATUSES) + 1.6
    tile_width = (width - 0.1 * len(v.STATUSES)) / tiles
    left = _margin(deck)
    _tile(
        slide,
        (left, top, Inches(tile_width * 1.6), Inches(0.9)),
        f"まとめ\n{status_badge(content.status)}",
        content.status,
        20,
    )
    left += Inches(tile_width * 1.6 + 0.1)
    for status in v.STATUSES:
        box = (left, top, Inches(tile_width), Inches(0.9))
        _tile(slide, box, f"{status_badge(status)}\n{int(content.counts[status])}指標", status, BODY_SIZE)
        left += Inches(tile_width + 0.1)
    widths = _widths(deck, [0.8, 5.0, 2.2, 1.2, 3.2])
    _table_slides(deck, layouts, title, content.table, widths, first=(slide, top + Inches(1.1)))


def _indicator(deck: Deck, layouts: _Layouts, content: IndicatorSlide) -> None:
    """The chart beside the status and three facts; why (reasons, notes, definition, 所見) follows on
    its own slide, so that every line keeps a readable size."""
    indicator = content.indicator
    slide, top = _add_slide(deck, layouts.title_only, f"{indicator['code']}　{indicator['name']}")
    width, left = _body_width(deck), _margin(deck)
    label = f"{content.policy_label}　回答者: {indicator['respondent']}"
    _text(slide, (left, top, Inches(width), Inches(0.45)), [(label, BODY_SIZE, False, _MUTED)])
    top += Inches(0.5)
    bottom = deck.slide_height - Inches(0.6)
    chart_width = width * 0.6
    _chart(slide, content.series, indicator, (left, top, Inches(chart_width), bottom - top))
    right, right_width = left + Inches(chart_width + 0.2), width * 0.4 - 0.2
    _tile(
        slide,
        (right, top, Inches(right_width), Inches(0.8)),
        status_badge(indicator["status"]),
        indicator["status"],
        24,
    )
    lines = [(fact, BODY_SIZE if index else 20, index == 0, _INK) for index, fact in enumerate(content.facts)]
    _text(slide, (right, top + Inches(0.95), Inches(right_width), bottom - top - Inches(0.95)), lines)
    why = [(f"⚑ {reason}", 20, True, _INK) for reason in content.reasons]
    why += [(f"※ {note}", BODY_SIZE, False, _INK) for note in content.notes]
    if content.about:
        why.append((content.about, BODY_SIZE, False, _MUTED))
    if content.commentary:  # no empty 所見 box: the heading only comes with a 所見
        why += [("所見", 20, True, _INK), (content.commentary, BODY_SIZE, False, _INK)]
        why.append((content.commentary_by, BODY_SIZE, False, _MUTED))
    if why:
        heading = "理由と注記" + ("・所見" if content.commentary else "")
        _text_slides(deck, layouts, f"{indicator['code']}　{heading}", why)


def _method(deck: Deck, layouts: _Layouts, content: MethodSlide) -> None:
    lines: list[Line] = []
    for heading, paragraphs in content.sections:
        lines += [(heading, 20, True, _INK), *((text, BODY_SIZE, False, _INK) for text in paragraphs)]
    lines.append((content.example, BODY_SIZE, True, _INK))
    _text_slides(deck, layouts, content.heading, lines)


def _evaluation_sheet(deck: Deck, layouts: _Layouts, sheet: EvaluationSheet) -> None:
    """A 基本施策's 施策評価シート after the report's own slides: both evaluations with the 担当課, the
    indicators, then the 取組, each table at body size over as many slides as it needs."""
    title = f"施策評価シート　{sheet.label}　{sheet.name}"
    slide, top = _add_slide(deck, layouts.title_only, title)
    _text(
        slide,
        (_margin(deck), top, Inches(_body_width(deck)), Inches(0.5)),
        [(f"担当課: {sheet.departments}", BODY_SIZE, False, _MUTED)],
    )
    _table_slides(
        deck,
        layouts,
        title,
        sheet.tabulate_evaluations(),
        _widths(deck, [2.2, 2.2, 7.0]),
        first=(slide, top + Inches(0.6)),
    )
    _table_slides(
        deck,
        layouts,
        f"{title}　指標",
        sheet.indicators[["指標", "指標名", "値", "状況"]],
        _widths(deck, [0.8, 5.4, 2.6, 3.6]),
    )
    action_level = sheet.actions.columns[1]
    columns = ["コード", action_level, "実施状況", "実績", "課題", "今後の方向性"]
    _table_slides(
        deck, layouts, f"{title}　{action_level}", sheet.actions[columns], _widths(deck, [0.9, 2.8, 1.6, 3.6, 2.4, 1.5])
    )


_DRAW = {
    TitleSlide: _title,
    SummarySlide: _summary,
    GuideSlide: _guide,
    PolicySlide: _policy,
    IndicatorSlide: _indicator,
    MethodSlide: _method,
}


def _text_slides(deck: Deck, layouts: _Layouts, title: str, lines: list[Line]) -> None:
    """Lines on as many slides as they need at their size, the later ones titled 「（続き）」."""
    width = _body_width(deck)
    for index, page in enumerate(_pages(lines, width, _room(deck) - 0.6)):
        slide, top = _add_slide(deck, layouts.title_only, title + ("（続き）" if index else ""))
        _text(slide, (_margin(deck), top, Inches(width), deck.slide_height - Inches(0.6) - top), page)


def _pages(lines: list[Line], width: float, room: float) -> Iterator[list[Line]]:
    page: list[Line] = []
    used = 0.0
    for line in lines:
        height = _lines(line[0], width, line[1]) * line[1] * 1.2 / 72 + line[1] * 0.3 / 72
        if page and used + height > room:
            yield page
            page, used = [], 0.0
        page.append(line)
        used += height
    if page:
        yield page


def _table_slides(
    deck: Deck,
    layouts: _Layouts,
    title: str,
    frame: pd.DataFrame,
    widths: list[float],
    first: tuple[PptxSlide, int] | None = None,
) -> None:
    """A table over as many slides as its rows need (from `first`, a slide already begun, when given),
    the later ones titled 「（続き）」."""
    bottom = deck.slide_height - Inches(0.6)
    slide, top = first or _add_slide(deck, layouts.title_only, title)
    start = 0
    while True:
        used, end = top + _row_height(list(map(str, frame.columns)), widths, BODY_SIZE), start
        while end < len(frame):
            used += _row_height([str(x) for x in frame.iloc[end]], widths, BODY_SIZE)
            if end > start and used > bottom:
                break
            end += 1
        _table(slide, frame.iloc[start:end], (_margin(deck), top), widths, BODY_SIZE)
        if end >= len(frame):
            return
        start = end
        slide, top = _add_slide(deck, layouts.title_only, f"{title}（続き）")


def _footer(deck: Deck, slide: PptxSlide, sample: bool, page: str) -> None:
    top, left = deck.slide_height - Inches(0.5), _margin(deck)
    if sample:
        notice = f"サンプル（架空）データ: {v.SAMPLE_NOTICE}"
        box = _text(
            slide,
            (left, top, deck.slide_width - 2 * left - Inches(1.3), Inches(0.45)),
            [(notice, FOOTER_SIZE, True, _NOTICE)],
        )
        box.name = FOOTER_NAME
    box = _text(
        slide,
        (deck.slide_width - left - Inches(1.3), top, Inches(1.3), Inches(0.45)),
        [(page, FOOTER_SIZE, False, _MUTED)],
    )
    box.name = FOOTER_NAME
    box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _chart(slide: PptxSlide, series: TrendSeries, indicator: pd.Series, box: tuple) -> None:
    """A line chart whose data sit in the deck, so that staff can edit it in PowerPoint: values with the
    95% band as two thin dashed lines, the path, the projection the reasons quote, baseline and target.
    The value axis is fitted to the data; no data labels sit on the lines (the legend names them)."""
    unit = indicator["unit"]
    data = CategoryChartData(number_format="0.0")
    data.categories = [f"{v.format_era_year(year)}\n({year})" for year in series.years]
    for name, values in zip(TrendSeries.DRAWN_NAMES, series.drawn_columns(), strict=True):
        data.add_series(name, values)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box, data).chart
    _set_font(chart.font, CHART_SIZE, colour=_INK)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    _set_font(chart.legend.font, CHART_SIZE, colour=_INK)
    _hide_legend_entry(chart, 2)  # the band's lower line: the upper one names the band
    _set_font(chart.category_axis.tick_labels.font, CHART_SIZE, colour=_INK)
    axis = chart.value_axis
    axis.tick_labels.number_format = f'0"{unit}"'
    axis.tick_labels.number_format_is_linked = False
    axis.major_gridlines.format.line.color.rgb = _rgb(_RULE)
    low, high = fit_axis([series.value_range()], unit)
    axis.minimum_scale, axis.maximum_scale = low, high
    actual, band_high, band_low, path, trend, baseline, target = chart.plots[0].series
    colour = v.STATUS_COLOURS[indicator["status"]]
    _line(actual, colour, 3.0)
    actual.marker.style, actual.marker.size = XL_MARKER_STYLE.CIRCLE, 8
    _fill(actual.marker.format, colour)
    for bound in (band_high, band_low):
        _line(bound, _BAND, 1.0, MSO_LINE.DASH)
    _line(path, _GUIDE, 1.75, MSO_LINE.LONG_DASH)
    _line(trend, colour, 1.75, MSO_LINE.SQUARE_DOT)
    _line(baseline, _GUIDE, 1.0)
    target.format.line.fill.background()
    target.marker.style, target.marker.size = XL_MARKER_STYLE.DIAMOND, 12
    _fill(target.marker.format, _GUIDE)
    for plotted in (band_high, band_low, path, trend, baseline):
        plotted.marker.style = XL_MARKER_STYLE.NONE


def _hide_legend_entry(chart, index: int) -> None:
    """Drop one series from the legend."""
    legend = chart.legend._element  # python-pptx has no API for c:legendEntry
    entry = etree.SubElement(legend, qn("c:legendEntry"))
    etree.SubElement(entry, qn("c:idx")).set("val", str(index))
    etree.SubElement(entry, qn("c:delete")).set("val", "1")
    legend.find(qn("c:legendPos")).addnext(entry)


def _line(series, colour: str, width: float, dash: MSO_LINE | None = None) -> None:
    series.smooth = False
    line = series.format.line
    line.color.rgb, line.width = _rgb(colour), Pt(width)
    if dash is not None:
        line.dash_style = dash


def _table(slide: PptxSlide, frame: pd.DataFrame, where: tuple[int, int], widths: list[float], size: int) -> int:
    """A table of strings; cells that show a status are filled in its colour. Returns its bottom edge."""
    rows = [list(map(str, frame.columns)), *([str(value) for value in row] for row in frame.itertuples(index=False))]
    heights = [_row_height(row, widths, size) for row in rows]
    shape = slide.shapes.add_table(len(rows), len(widths), *where, Inches(sum(widths)), sum(heights))
    table = shape.table
    # python-pptx starts from a theme style with blue banding; every cell's fill is set here instead.
    table.first_row, table.horz_banding = True, False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Inches(width)
    for row_index, (row, height) in enumerate(zip(rows, heights, strict=True)):
        table.rows[row_index].height = height
        for index, text in enumerate(row):
            _cell(table.cell(row_index, index), text, size, header=row_index == 0)
    return where[1] + sum(heights)


def _row_height(row: list[str], widths: list[float], size: int) -> int:
    lines = max(_lines(text, width, size) for text, width in zip(row, widths, strict=True))
    # LibreOffice sets a CJK line about 1.4 times its size; a short row would clip what does not fit.
    return Pt(max(size * 2.0, lines * size * 1.45 + 10))


def _lines(text: str, width: float, size: int) -> int:
    """How many lines `text` takes in a box `width` inches wide. Rows are sized from this because
    LibreOffice keeps a row's stored height and clips what does not fit, where PowerPoint grows it.
    Full-width characters are as wide as the font size, others about half of it."""
    usable = (width - 0.2) * 72
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
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, *(Emu(int(value)) for value in box))
    colour = v.STATUS_COLOURS[status]
    _fill(shape, colour)
    shape.shadow.inherit = False
    shape.adjustments[0] = 0.12
    lines = [(line, size, True, ink_on(colour)) for line in text.split("\n")]
    _write(shape.text_frame, lines, PP_ALIGN.CENTER, spacing=0)
    shape.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE


def _fill(formatted, colour: str) -> None:
    """Fill and outline in one colour; `formatted` is a shape or a chart element's format."""
    formatted.fill.solid()
    formatted.fill.fore_color.rgb = _rgb(colour)
    formatted.line.color.rgb = _rgb(colour)


def _margin(deck: Deck) -> int:
    return int(deck.slide_width * 0.034)


def _widths(deck: Deck, shares: list[float]) -> list[float]:
    """Column widths in inches that share the body width in these proportions."""
    width = _body_width(deck)
    return [width * share / sum(shares) for share in shares]


def _body_width(deck: Deck) -> float:
    """The width between the side margins, in inches."""
    return (deck.slide_width - 2 * _margin(deck)) / Inches(1)


def _room(deck: Deck) -> float:
    """The height under a typical title and above the footer, in inches."""
    return deck.slide_height / Inches(1) - 2.0


def _text(slide: PptxSlide, box: tuple, lines: list[Line]):
    shape = slide.shapes.add_textbox(*(Emu(int(value)) for value in box))
    shape.text_frame.word_wrap = True
    _write(shape.text_frame, lines)
    return shape


def _write(frame: TextFrame, lines: list[Line], align: PP_ALIGN | None = None, spacing: float = 0.3) -> None:
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
