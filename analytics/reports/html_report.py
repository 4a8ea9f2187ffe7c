"""The report as one offline HTML file (plotly.js inside, no external URL), printable on A4; also 発表モード's slides."""

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from analytics import vocabulary as v
from analytics.charts import FONT_FAMILY, chart_config, plot_indicator_trend
from analytics.presentation import render_status_tiles, status_badge
from analytics.reports.evaluation_sheet import EvaluationSheet
from analytics.reports.report_content import (
    GuideSlide,
    IndicatorSlide,
    MethodSlide,
    PolicySlide,
    Report,
    Slide,
    SummarySlide,
    TitleSlide,
    ink_on,
    status_of_badge,
)

Block = str | go.Figure

# Sizes are in em of the block's font, so that 発表モード scales everything by setting one size.
STYLE = f"""<style>
.report-block {{ font-family: {FONT_FAMILY}; color: #1F2933; line-height: 1.5; }}
.report-block h1 {{ font-size: 2em; margin: 1.5em 0 0.4em; }}
.report-block h2 {{ font-size: 1.5em; margin: 0.2em 0 0.4em; }}
.report-block .label {{ color: #5F6B7A; margin: 0; }}
.report-block table {{ border-collapse: collapse; width: 100%; margin: 0.5em 0; }}
.report-block th, .report-block td {{ border: 1px solid #C9CED6; padding: 0.25em 0.5em; text-align: left;
  vertical-align: top; white-space: pre-line; }}
.report-block th {{ background: #E4E7EC; }}
.report-block td.status {{ font-weight: 700; white-space: nowrap; }}
.report-block .badge {{ display: inline-block; padding: 0.15em 0.8em; border-radius: 0.3em; font-weight: 700;
  font-size: 1.3em; }}
.report-block .facts {{ margin: 0.4em 0; }}
.report-block p {{ font-size: 1em; }}
.report-block .facts p {{ margin: 0.15em 0; }}
.report-block td.short {{ white-space: nowrap; }}
.report-block .commentary {{ background: #F3F4F6; padding: 0.5em 0.8em; white-space: pre-line; }}
.report-block .commentary .by {{ color: #5F6B7A; font-size: 0.85em; }}
.report-block .notice {{ color: #A14000; font-weight: 700; border: 2px solid #E69F00; padding: 0.3em 0.6em; }}
.report-block .tiles .tile .count {{ font-size: 1.6em; }}
</style>"""

_DOCUMENT_STYLE = """<style>
@page { size: A4; margin: 14mm 12mm 16mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; } }
body { max-width: 186mm; margin: 0 auto; font-size: 10.5pt; }
section.policy { break-before: page; }
section.sheet { break-before: page; }
section.sheet td.status { white-space: normal; min-width: 7em; }
section.indicator, section.summary { break-inside: avoid; margin-top: 1.5em; }
.plot { break-inside: avoid; }
@media print { .modebar-container { display: none; } }
</style>"""
# Printed, every page carries the notice in its bottom margin, not only the first.
_SAMPLE_PAGE_STYLE = f"""<style>
@page {{ @bottom-left {{ content: "サンプル（架空）データ: {v.SAMPLE_NOTICE}"; color: #A14000; font-size: 8pt; }} }}
</style>"""
_SHORT = 14
_PRINT_WIDTH = 700  # px: the A4 text width, so that a chart prints as it shows


def render_html(report: Report) -> bytes:
    """One UTF-8 file that opens without a network: plotly.js and every chart inside, system fonts only."""
    sections = []
    for slide in report.slides:
        # On paper the cells of a row stack: an A4 page is too narrow for a chart beside its facts.
        blocks = [block for row in slide_rows(slide) for block in row]
        parts = [_figure_html(block) if isinstance(block, go.Figure) else block for block in blocks]
        sections.append(f'<section class="{_KINDS[type(slide)]}">{"".join(parts)}</section>')
    sections += [_sheet_section(sheet) for sheet in report.evaluation_sheets]
    notice, page_notice = "", ""
    if report.sample:
        notice = f'<div class="report-block"><p class="notice">サンプル（架空）データ: {html.escape(v.SAMPLE_NOTICE)}</p></div>'
        page_notice = _SAMPLE_PAGE_STYLE
    title = f"{report.plan_name} {report.levels[v.INDICATOR]}の進捗状況 {v.format_fiscal_year(report.year)}"
    document = (
        f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"{STYLE}{_DOCUMENT_STYLE}{page_notice}<script>{get_plotlyjs()}</script></head>"
        f"<body>{notice}{''.join(sections)}</body></html>"
    )
    return document.encode("utf-8")


def slide_rows(slide: Slide, *, large: bool = False) -> list[tuple[Block, ...]]:
    """A slide as rows of HTML fragments and plotly figures, in reading order. A row of two is shown
    side by side on a screen (chart | facts, table | 所見); `large` sizes the chart for 発表モード."""
    if isinstance(slide, TitleSlide):
        details = "".join(f'<p class="label">{html.escape(detail)}</p>' for detail in slide.details)
        return [(_block(f"<h1>{html.escape(slide.plan_name)}</h1><h2>{html.escape(slide.heading)}</h2>{details}"),)]
    if isinstance(slide, SummarySlide):
        counts = (
            "" if slide.counts is None else f"{table_html(slide.counts)}<h3>{html.escape(slide.flagged_heading)}</h3>"
        )
        flagged = table_html(slide.flagged) if len(slide.flagged) else ""
        return [(_block(f"<h2>{html.escape(slide.heading)}</h2>{counts}{flagged}"),)]
    if isinstance(slide, GuideSlide):
        statuses = table_html(pd.DataFrame(slide.statuses, columns=["状況", "意味"]))
        keys = table_html(pd.DataFrame(slide.chart_keys, columns=["グラフの線", "意味"]))
        body = f"<h2>{html.escape(slide.heading)}</h2><p>{html.escape(slide.rule)}</p>{statuses}{keys}"
        return [(_block(body),)]
    if isinstance(slide, PolicySlide):
        heading = f'<p class="label">{html.escape(slide.label)}</p><h2>{html.escape(slide.name)}</h2>'
        summary = f"<p>まとめ: {_badge(slide.status)}</p>"
        return [(_block(f"{heading}{summary}{render_status_tiles(slide.counts)}{table_html(slide.table)}"),)]
    if isinstance(slide, MethodSlide):
        sections = "".join(
            f"<h3>{html.escape(heading)}</h3>" + "".join(f"<p>{html.escape(text)}</p>" for text in paragraphs)
            for heading, paragraphs in slide.sections
        )
        return [(_block(f"<h2>{html.escape(slide.heading)}</h2>{sections}<p>{html.escape(slide.example)}</p>"),)]
    return _indicator_rows(slide, large)


def _indicator_rows(slide: IndicatorSlide, large: bool) -> list[tuple[Block, ...]]:
    indicator = slide.indicator
    heading = (
        f'<p class="label">{html.escape(slide.policy_label)}　回答者: {html.escape(indicator["respondent"])}</p>'
        f"<h2>{html.escape(indicator['code'])}　{html.escape(indicator['name'])}</h2>"
    )
    facts = "".join(f"<p>{html.escape(fact)}</p>" for fact in slide.facts)
    reasons = "".join(f"<p><strong>⚑ {html.escape(reason)}</strong></p>" for reason in slide.reasons)
    reasons += "".join(f'<p class="note">※ {html.escape(note)}</p>' for note in slide.notes)
    if slide.about:
        reasons += f'<p class="label">{html.escape(slide.about)}</p>'
    figure = plot_indicator_trend(slide.history, indicator)
    figure.update_layout(
        title=None,
        height=470 if large else 380,
        width=None if large else _PRINT_WIDTH,
        margin={"t": 24},  # room for the note that the axis does not start at zero
        font={"size": 18 if large else 13},
    )
    status = f'{_badge(indicator["status"])}<div class="facts">{facts}{reasons}</div>'
    recent = _block(table_html(slide.recent))
    if not slide.commentary:  # no empty 所見 box
        return [(_block(heading),), (figure, _block(status)), (recent,)]
    commentary = f'{html.escape(slide.commentary)}<div class="by">{html.escape(slide.commentary_by)}</div>'
    commentary = f'<div class="commentary"><strong>所見</strong><br>{commentary}</div>'
    return [(_block(heading),), (figure, _block(status)), (recent, _block(commentary))]


def table_html(frame: pd.DataFrame) -> str:
    """A table of strings; a cell showing a status is filled in its colour and keeps its words."""
    header = "".join(f"<th>{html.escape(str(name))}</th>" for name in frame.columns)
    rows = "".join(
        "<tr>" + "".join(_cell(str(value)) for value in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def _cell(text: str) -> str:
    status = status_of_badge(text)
    if status is None:
        # Short cells (codes, years, values) stay on one line; names and reasons wrap.
        return f"<td{' class=short' if len(text) <= _SHORT else ''}>{html.escape(text)}</td>"
    colour = v.STATUS_COLOURS[status]
    return f'<td class="status" style="background:{colour};color:{ink_on(colour)}">{html.escape(text)}</td>'


def _badge(status: str) -> str:
    colour = v.STATUS_COLOURS[status]
    return f'<span class="badge" style="background:{colour};color:{ink_on(colour)}">{status_badge(status)}</span>'


def _sheet_section(sheet: EvaluationSheet) -> str:
    """A 施策評価シート on its own printed page: both evaluations, then the indicators and the 取組."""
    body = (
        f'<p class="label">{html.escape(sheet.policy_label)}　担当課: {html.escape(sheet.departments)}</p>'
        f"<h2>{html.escape(sheet.title)}</h2>{table_html(sheet.tabulate_evaluations())}"
        f"<h3>指標の状況</h3>{table_html(sheet.indicators)}"
        f"<h3>{html.escape(sheet.actions.columns[1])}の実施状況</h3>{table_html(sheet.actions)}"
    )
    return f'<section class="sheet">{_block(body)}</section>'


def _block(body: str) -> str:
    return f'<div class="report-block">{body}</div>'


def _figure_html(figure: go.Figure) -> str:
    config = chart_config("chart") | {"responsive": False}
    return f'<div class="plot">{figure.to_html(full_html=False, include_plotlyjs=False, config=config)}</div>'


_KINDS = {
    TitleSlide: "title",
    SummarySlide: "summary",
    PolicySlide: "policy",
    GuideSlide: "guide",
    IndicatorSlide: "indicator",
    MethodSlide: "method",
}
