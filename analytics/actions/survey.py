"""The 調査票: one workbook per 担当課 listing its 取組項目, and reading the filled ones back."""

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from analytics import vocabulary as v
from analytics.accounts import User
from analytics.actions.settings import DIRECTIONS, ActionSettings
from analytics.files import write_file_atomically
from analytics.plan import Plan
from analytics.spreadsheets import Sheet, SpreadsheetError, cell_reference, read_sheets, save_workbook

NO_DEPARTMENT = "担当課未設定"


class ReportRefusedError(ValueError):
    """A 取組 report the signed-in editor may not make (another 担当課's); the message is Japanese."""


SHEET = "調査票"
_CHOICES = "選択肢"
# Row 1 carries the year, row 2 the 担当課, row 4 the header; the 取組 start on row 5.
_YEAR_CELL, _DEPARTMENT_CELL, _HEADER_ROW = (0, 1), (1, 1), 3
_FIELDS = ["action_code", "name", "status", "result", "sessions", "participants", "issues", "direction"]
_NUMBERS = ("sessions", "participants")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
ADDED, CHANGED, UNCHANGED, ERROR = "新規", "変更", "変更なし", "エラー"


def survey_departments(plan: Plan) -> pd.DataFrame:
    """The plan's 取組項目 with the 担当課 that answers for each (「担当課未設定」 when the plan names none)."""
    actions = plan.nodes[plan.nodes["kind"] == v.ACTION]
    department = actions["lead_department"].fillna("").str.strip().replace("", NO_DEPARTMENT)
    return actions.assign(department=department)[["code", "name", "department"]].reset_index(drop=True)


def list_plan_departments(plan: Plan) -> list[str]:
    """Every 担当課 the plan names for a 取組, sorted: the choices when an account is given its 担当課."""
    named = survey_departments(plan)["department"]
    return sorted(set(named[named != NO_DEPARTMENT]))


def list_reportable(plan: Plan, reporter: User) -> pd.DataFrame:
    """The 取組項目 (code, name, 担当課) that `reporter` may enter reports for, in plan order."""
    actions = survey_departments(plan)
    return actions[[reporter.may_report_for(department) for department in actions["department"]]]


def check_reportable(plan: Plan, code: str, reporter: User) -> None:
    """Raise ReportRefusedError when `reporter` may not report on 取組 `code` (another 担当課's)."""
    department = survey_departments(plan).set_index("code").loc[code, "department"]
    if not reporter.may_report_for(department):
        raise ReportRefusedError(_refusal(plan.level(v.ACTION), code, department, reporter))


def _refusal(level: str, code: str, department: str, reporter: User) -> str:
    return (
        f"{level}「{code}」の担当課は{department}で、{reporter.name}さんの担当課（{'、'.join(reporter.departments)}）"
        f"ではありません。{department}の編集者か管理者に入力を依頼してください。"
    )


def write_surveys(plan: Plan, fiscal_year: int, settings: ActionSettings, directory: Path) -> list[Path]:
    """Write one 調査票 per 担当課 into `directory` (each replaced in one step); returns the files."""
    written = []
    for department, actions in survey_departments(plan).groupby("department", sort=True):
        content = build_survey(plan, fiscal_year, department, actions, settings)
        path = directory / f"調査票_{fiscal_year}年度_{_safe_name(department)}.xlsx"
        write_file_atomically(path, lambda stream, data=content: stream.write(data))
        written.append(path)
    return written


def build_survey(
    plan: Plan, fiscal_year: int, department: str, actions: pd.DataFrame, settings: ActionSettings
) -> bytes:
    """The xlsx for one 担当課: instructions, its 取組 (code and name locked) and drop-downs to answer with."""
    level = plan.level(v.ACTION)
    workbook = Workbook()
    guide = workbook.active
    guide.title = "記入方法"
    for line in _instructions(fiscal_year, level, settings):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 110

    choices = workbook.create_sheet(_CHOICES)
    for column, values in enumerate((settings.scale, DIRECTIONS), start=1):
        for row, value in enumerate(values, start=1):
            choices.cell(row, column, value)
    choices.sheet_state = "hidden"

    sheet = workbook.create_sheet(SHEET, 1)
    sheet.append(["年度", fiscal_year])
    sheet.append(["担当課", department])
    sheet.append([])
    sheet.append(
        ["コード", f"{level}", "実施状況", "実績（取り組んだ内容）", "開催回数", "参加者数", "課題", "今後の方向性"]
    )
    for cell in sheet[_HEADER_ROW + 1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for code, name in actions[["code", "name"]].itertuples(index=False):
        sheet.append([code, name])
    last = _HEADER_ROW + 1 + len(actions)
    for row in sheet.iter_rows(min_row=_HEADER_ROW + 2, max_row=last, min_col=3, max_col=8):
        for cell in row:
            cell.protection = Protection(locked=False)
            cell.fill = _INPUT_FILL
    for column, width in zip("ABCDEFGH", (8, 40, 16, 50, 10, 10, 40, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"C{_HEADER_ROW + 2}"
    sheet.protection.sheet = True
    for column, choice_column, count, title in (
        ("C", "A", len(settings.scale), "実施状況"),
        ("H", "B", len(DIRECTIONS), "今後の方向性"),
    ):
        sheet.add_data_validation(
            DataValidation(
                type="list",
                formula1=f"'{_CHOICES}'!${choice_column}$1:${choice_column}${count}",
                showErrorMessage=True,
                errorTitle=title,
                error=f"一覧から{title}を選んでください。",
                sqref=f"{column}{_HEADER_ROW + 2}:{column}{last}",
            )
        )
    for column in ("E", "F"):
        sheet.add_data_validation(
            DataValidation(
                type="whole",
                operator="greaterThanOrEqual",
                formula1="0",
                showErrorMessage=True,
                error="0 以上の整数を入力してください。",
                sqref=f"{column}{_HEADER_ROW + 2}:{column}{last}",
            )
        )
    guide.sheet_view.tabSelected = False
    workbook.active = sheet
    return save_workbook(workbook)


def _instructions(fiscal_year: int, level: str, settings: ActionSettings) -> list[str]:
    return [
        f"{fiscal_year}年度 {level}の実施状況 調査票",
        "",
        f"1. 「{SHEET}」シートの黄色のセルに、担当する{level}ごとに記入してください（コードと名称は変更できません）。",
        f"2. 実施状況：一覧から選びます（{' / '.join(settings.scale)}）。",
        "3. 実績：取り組んだ内容を文章で記入します。開催回数・参加者数は該当する場合だけ整数で記入します。",
        "4. 課題：取組を進めるうえでの課題を記入します。",
        f"5. 今後の方向性：一覧から選びます（{' / '.join(DIRECTIONS)}）。",
        "6. 年度と担当課（1〜2行目）は変えないでください。",
        "",
        "記入後、このファイルを保存して事務局に返送してください。事務局はダッシュボードの「施策評価」ページで取り込みます。",
    ]


def _safe_name(department: str) -> str:
    """A 担当課 name usable in a file name on every system."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", department)


@dataclass(frozen=True)
class SurveyAnswers:
    """What one filled 調査票 says: its year and 担当課, the answered rows, and per-cell errors."""

    file_name: str
    fiscal_year: int | None
    department: str
    rows: pd.DataFrame
    errors: list[str]


def read_survey(
    file_name: str,
    content: bytes,
    fiscal_year: int,
    plan: Plan,
    settings: ActionSettings,
    reporter: User | None = None,
) -> SurveyAnswers:
    """Read a filled 調査票 and check every answer against the plan, the scale and the year, and
    that the `reporter` (the signed-in editor) may report for each row's 担当課; each error is one
    sentence naming file, sheet and cell and what to fix."""
    sheets = {sheet.name: sheet for sheet in read_sheets(file_name, content)}
    if SHEET not in sheets:
        raise SpreadsheetError(
            f"{file_name}: 「{SHEET}」シートがありません。事務局が配布した調査票に記入してください。"
        )
    sheet = sheets[SHEET]
    level = plan.level(v.ACTION)
    errors: list[str] = []

    def where(row: int, column: int) -> str:
        return f"{file_name} の「{SHEET}」シート {cell_reference(row, column)}"

    year = _number(_cell(sheet, *_YEAR_CELL))
    if year != fiscal_year:
        errors.append(
            f"{where(*_YEAR_CELL)}: 年度が {year if year is not None else _cell(sheet, *_YEAR_CELL) or '空欄'} です。{fiscal_year}年度の調査票を取り込んでください。"
        )
    department = str(_cell(sheet, *_DEPARTMENT_CELL)).strip()
    owners = survey_departments(plan).set_index("code")["department"]
    records = []
    for index in range(_HEADER_ROW + 1, len(sheet.rows)):
        values = dict(zip(_FIELDS, (_cell(sheet, index, column) for column in range(len(_FIELDS))), strict=True))
        code = str(values["action_code"]).strip()
        answered = [values[field] for field in _FIELDS[2:]]
        if not code and not any(str(value).strip() for value in answered):
            continue
        if code not in owners.index:
            errors.append(f"{where(index, 0)}: 計画にない{level}「{code}」です。配布した調査票の行を使ってください。")
            continue
        if owners[code] != department:
            errors.append(
                f"{where(index, 0)}: {level}「{code}」の担当課は{owners[code]}です（この調査票は{department}）。"
                "その行を削除し、担当課に記入を依頼してください。"
            )
            continue
        if not any(str(value).strip() for value in answered):
            continue
        if reporter is not None and not reporter.may_report_for(owners[code]):
            errors.append(f"{where(index, 0)}: {_refusal(level, code, owners[code], reporter)}")
            continue
        status = str(values["status"]).strip()
        if status not in settings.scale:
            errors.append(
                f"{where(index, 2)}: 実施状況「{status or '空欄'}」は選択肢にありません。{' / '.join(settings.scale)} から選んでください。"
            )
            continue
        direction = str(values["direction"]).strip()
        if direction and direction not in DIRECTIONS:
            errors.append(
                f"{where(index, 7)}: 今後の方向性「{direction}」は選択肢にありません。{' / '.join(DIRECTIONS)} から選んでください。"
            )
            continue
        numbers = {}
        for field in _NUMBERS:
            column = _FIELDS.index(field)
            raw = values[field]
            number = _number(raw)
            if str(raw).strip() and (number is None or number < 0):
                errors.append(
                    f"{where(index, column)}: 「{raw}」は 0 以上の整数ではありません。整数で記入するか空欄にしてください。"
                )
            numbers[field] = number
        records.append(
            {
                "action_code": code,
                "fiscal_year": fiscal_year,
                "status": status,
                "result": str(values["result"]).strip(),
                **numbers,
                "issues": str(values["issues"]).strip(),
                "direction": direction,
                "department": department,
            }
        )
    rows = pd.DataFrame(records, columns=[*_FIELDS[:1], "fiscal_year", *_FIELDS[2:], "department"])
    rows = rows.astype(dict.fromkeys(_NUMBERS, "Int64"))
    return SurveyAnswers(file_name, year, department, rows, errors)


def preview_answers(answers: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """Each answered row marked 新規, 変更 or 変更なし against the newest stored real report (the
    sample ones are withdrawn by the import)."""
    columns = ["status", "result", "sessions", "participants", "issues", "direction", "department"]
    current = stored[~stored["sample"].astype(bool)].set_index(["action_code", "fiscal_year"])
    change = []
    for row in answers.itertuples(index=False):
        key = (row.action_code, row.fiscal_year)
        if key not in current.index:
            change.append(ADDED)
            continue
        before = current.loc[key, columns]
        same = all(_same(getattr(row, column), before[column]) for column in columns)
        change.append(UNCHANGED if same else CHANGED)
    return answers.assign(change=change)


def _same(left: object, right: object) -> bool:
    return (pd.isna(left) and pd.isna(right)) if pd.isna(left) or pd.isna(right) else left == right


def _cell(sheet: Sheet, row: int, column: int) -> object:
    if row >= len(sheet.rows) or column >= len(sheet.rows[row]):
        return ""
    return sheet.rows[row][column]


def _number(value: object) -> int | None:
    """A whole number from a cell (Excel stores 12 as 12.0), None for blank or anything else."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None
