"""The 施策評価シート as a workbook: per 基本施策 one printable sheet of 取組, statuses and both evaluations."""

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from analytics import vocabulary as v
from analytics.actions.overview import grade_measures, locate_actions, tabulate_actions
from analytics.actions.settings import ActionSettings
from analytics.files import write_file_atomically
from analytics.plan import Plan
from analytics.spreadsheets import save_workbook

_COLUMNS = ["コード", "担当課", "実施状況", "実績", "課題", "今後の方向性"]


def write_evaluation_sheets(
    path: Path,
    plan: Plan,
    reports: pd.DataFrame,
    indicators: pd.DataFrame,
    secondary: pd.DataFrame,
    fiscal_year: int,
    settings: ActionSettings,
) -> int:
    """Write one A4 landscape sheet per 基本施策 (replacing `path` in one step); returns how many."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    measure_level, action_level = plan.level(v.MEASURE), plan.level(v.ACTION)
    located = locate_actions(plan)
    for policy in plan.policies["code"]:
        actions = tabulate_actions(plan, reports, fiscal_year, policy)
        grades = grade_measures(plan, reports, indicators, secondary, fiscal_year, policy, settings)
        for grade in grades.itertuples(index=False):
            code, name = grade[0], grade[1]
            codes = located.loc[located["measure_code"] == code, "code"]
            sheet = workbook.create_sheet(f"{measure_level}{code}"[:31])
            sheet.append([f"{fiscal_year}年度 施策評価シート　{measure_level}{code} {name}"])
            sheet["A1"].font = Font(bold=True, size=14)
            sheet.append([])
            sheet.append(["一次評価（提案）", grade[2], grade[3]])
            sheet.append(["二次評価", grade[4], grade[5]])
            sheet.append(["差", grade[6] or "なし"])
            sheet.append([])
            sheet.append([_COLUMNS[0], action_level, *_COLUMNS[1:]])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            rows = actions[actions["コード"].isin(codes)]
            for row in rows[["コード", action_level, *_COLUMNS[1:]]].itertuples(index=False):
                sheet.append(list(row))
            for column, width in zip("ABCDEFG", (10, 36, 14, 14, 40, 30, 12), strict=True):
                sheet.column_dimensions[column].width = width
            for row in sheet.iter_rows(min_row=3):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.page_setup.orientation = "landscape"
            sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
            sheet.page_setup.fitToWidth = 1
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
    content = save_workbook(workbook)
    write_file_atomically(path, lambda stream: stream.write(content))
    return len(workbook.sheetnames)
