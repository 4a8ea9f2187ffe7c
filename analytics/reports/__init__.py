"""Council reports from the dashboard's evaluation: PowerPoint, Excel and offline HTML, and what they show."""

from collections.abc import Callable
from dataclasses import dataclass

from analytics import vocabulary as v
from analytics.reports.html_report import render_html
from analytics.reports.pptx_report import render_pptx
from analytics.reports.report_content import Report
from analytics.reports.xlsx_report import render_xlsx
from analytics.vocabulary import format_fiscal_year


@dataclass(frozen=True)
class ReportFormat:
    """A file format the reports come in: its label for people, extension, MIME type and renderer."""

    label: str
    extension: str
    mime: str
    render: Callable[[Report], bytes]


FORMATS = {
    "pptx": ReportFormat(
        "PowerPoint（発表用スライド）",
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        render_pptx,
    ),
    "xlsx": ReportFormat(
        "Excel（集計表とグラフ）",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        render_xlsx,
    ),
    "html": ReportFormat("HTML（オフラインで開ける報告書、A4印刷用）", "html", "text/html", render_html),
}


def file_name(report: Report, format_name: str) -> str:
    """「施策評価指標_令和6(2024)年度_計画全体.pptx」: what, which year and which scope, in Japanese."""
    return f"{report.levels[v.INDICATOR]}_{format_fiscal_year(report.year)}_{report.scope_label}.{FORMATS[format_name].extension}"
