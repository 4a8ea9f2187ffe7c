"""Council reports from the dashboard's evaluation: PowerPoint, Excel and offline HTML, and what they show."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics import vocabulary as v
from analytics.vocabulary import format_fiscal_year

if TYPE_CHECKING:
    from analytics.reports.report_content import Report


@dataclass(frozen=True)
class ReportFormat:
    """A file format the reports come in: its label for people, extension, MIME type and renderer."""

    label: str
    extension: str
    mime: str
    render: Callable[[Report], bytes]


def _renderer(module: str, function: str) -> Callable[[Report], bytes]:
    """The renderer, imported when a report is rendered: python-pptx and openpyxl take a second to import,
    which `export --help` and the pages that never render should not wait for."""

    def render(report: Report) -> bytes:
        return getattr(importlib.import_module(module), function)(report)

    return render


FORMATS = {
    "pptx": ReportFormat(
        "PowerPoint（発表用スライド）",
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _renderer("analytics.reports.pptx_report", "render_pptx"),
    ),
    "xlsx": ReportFormat(
        "Excel（集計表とグラフ）",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _renderer("analytics.reports.xlsx_report", "render_xlsx"),
    ),
    "html": ReportFormat(
        "HTML（オフラインで開ける報告書、A4印刷用）",
        "html",
        "text/html",
        _renderer("analytics.reports.html_report", "render_html"),
    ),
}


def file_name(report: Report, format_name: str) -> str:
    """「施策評価指標_令和6(2024)年度_計画全体.pptx」: what, which year and which scope, in Japanese."""
    return f"{report.levels[v.INDICATOR]}_{format_fiscal_year(report.year)}_{report.scope_label}.{FORMATS[format_name].extension}"
