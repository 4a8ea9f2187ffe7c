"""The 施策評価シート as a workbook of its own: per 基本施策 one printable sheet, as in the Excel report."""

from pathlib import Path

import pandas as pd

from analytics.files import write_file_atomically
from analytics.plan import Plan
from analytics.reports.evaluation_sheet import ActionRecords, build_evaluation_sheets
from analytics.reports.xlsx_report import render_evaluation_sheets


def write_evaluation_sheets(
    path: Path, plan: Plan, records: ActionRecords, indicators: pd.DataFrame, fiscal_year: int, *, sample: bool
) -> int:
    """Write one A4 landscape sheet per 基本施策 (replacing `path` in one step); returns how many.
    The content and layout are the report's, so the two never disagree."""
    sheets = build_evaluation_sheets(plan, indicators, records, fiscal_year)
    content = render_evaluation_sheets(sheets, plan.title.removesuffix("体系表"), fiscal_year, sample)
    write_file_atomically(path, lambda stream: stream.write(content))
    return len(sheets)
