"""Survey results in: read spreadsheets in the long layout, validate every cell, import as one batch."""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.cells import CellError, is_blank, normalise_text, parse_fiscal_year, parse_number
from analytics.observations import KEY
from analytics.schemas import ObservationFrame
from analytics.spreadsheets import Sheet, SpreadsheetError, cell_reference, read_sheets

FIRST_PLAUSIBLE_YEAR = 1989  # 平成元年度: no survey of this plan predates it.
_HEADER_SEARCH_ROWS = 30

# Header text (after normalise_text) → field. Several spellings seen in real city files.
_HEADERS = {
    "年度": "fiscal_year",
    "調査年度": "fiscal_year",
    "指標": "indicator",
    "指標コード": "indicator",
    "指標名": "indicator",
    "値": "value",
    "実績値": "value",
    "回答者数": "respondents",
    "回答数": "respondents",
    "n": "respondents",
    "区分": "dimension",
    "区分値": "category",
    "備考": "note",
}
_REQUIRED = {"fiscal_year": "年度", "indicator": "指標", "value": "値"}
_HEADER_HELP = "「年度」「指標」「値」「回答者数」「区分」「区分値」「備考」"


@dataclass(frozen=True)
class ImportIssue:
    """One problem in one cell (or one sheet), reported the way staff can find and fix it."""

    file: str
    sheet: str
    cell: str
    value: object
    message: str

    def __str__(self) -> str:
        where = (
            self.file
            + (f" シート「{self.sheet}」" if self.sheet else "")
            + (f" {self.cell}" if self.cell.endswith("行目") else f" セル{self.cell}" if self.cell else "")
        )
        value = int(self.value) if isinstance(self.value, float) and self.value.is_integer() else self.value
        found = "" if is_blank(value) else f"（値: {value}）"
        return f"{where}: {self.message}{found}"

    @property
    def position(self) -> tuple:
        """Sort key: file, sheet, then row and column as a person scans a sheet (A2 before A10)."""
        match = re.match(r"([A-Z]*)(\d*)", self.cell)
        letters, digits = match.groups() if match else ("", "")
        return (self.file, self.sheet, int(digits or 0), len(letters), letters)


@dataclass(frozen=True)
class Validation:
    """What a set of files would import: the observations, every issue, and the files' identities."""

    observations: pd.DataFrame
    issues: list[ImportIssue]
    sources: list[store.SourceFile]
    skipped_sheets: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


class RejectedImportError(ValueError):
    """Validation found problems, so nothing was written."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = issues
        super().__init__(f"{len(issues)} 件の問題があるため、何も取り込みませんでした。")


def validate_files(
    files: list[tuple[str, bytes]], indicators: pd.DataFrame, *, sample: bool = False, today: date | None = None
) -> Validation:
    """Parse and check every file completely; nothing is written, whatever the outcome."""
    last_year = (today or date.today()).year
    frames, issues, sources, skipped = [], [], [], []
    for name, content in files:
        try:
            sheets = read_sheets(name, content)
        except SpreadsheetError as error:
            issues.append(ImportIssue(name, "", "", None, str(error).removeprefix(f"{name}: ")))
            continue
        rows_in_file = 0
        for sheet in sheets:
            table = _locate_table(name, sheet, issues)
            if table is None:
                skipped.append(f"{name} シート「{sheet.name}」（見出し行がないため読み飛ばしました）")
                continue
            frame = _read_rows(name, sheet, *table)
            frames.append(frame)
            rows_in_file += len(frame)
        if rows_in_file == 0 and not any(issue.file == name for issue in issues):
            issues.append(
                ImportIssue(
                    name, "", "", None, f"取り込める行がありません。見出し行 {_HEADER_HELP} と値を入れてください。"
                )
            )
        sources.append(store.SourceFile.from_bytes(name, content, rows_in_file))
    raw = pd.concat(frames, ignore_index=True) if frames else _read_rows("", Sheet("", []), 0, {})
    observations = _check(raw, indicators, last_year, issues).assign(sample=sample)
    valid = ObservationFrame.validate(observations[list(ObservationFrame.to_schema().columns)])
    return Validation(
        observations=valid,
        issues=sorted(issues, key=lambda issue: issue.position),
        sources=sources,
        skipped_sheets=skipped,
    )


def import_files(
    engine: Engine, files: list[tuple[str, bytes]], user: str, *, replace: bool = False, sample: bool = False
) -> store.BatchResult:
    """Validate, then write all files as one batch; any issue raises RejectedImportError and writes nothing."""
    indicators = store.read_plans(engine)[-1].indicators
    validation = validate_files(files, indicators, sample=sample)
    if not validation.ok:
        raise RejectedImportError(validation.issues)
    return store.record_batch(engine, validation.observations, validation.sources, user, replace=replace)


def read_files(paths: list[Path]) -> list[tuple[str, bytes]]:
    return [(Path(path).name, Path(path).read_bytes()) for path in paths]


def _locate_table(name: str, sheet: Sheet, issues: list[ImportIssue]) -> tuple[int, dict[int, str]] | None:
    """The header row and its column → field map; None for a sheet with no recognisable header."""
    for row_number, row in enumerate(sheet.rows[:_HEADER_SEARCH_ROWS]):
        columns = {i: _HEADERS[normalise_text(cell)] for i, cell in enumerate(row) if normalise_text(cell) in _HEADERS}
        if len(columns) < 2:
            continue
        fields = list(columns.values())
        repeated = {f for f in fields if fields.count(f) > 1}
        for column, field_name in columns.items():
            if field_name in repeated:
                issues.append(
                    ImportIssue(
                        name,
                        sheet.name,
                        cell_reference(row_number, column),
                        row[column],
                        "同じ意味の列見出しが複数あります。どちらか一方だけにしてください。",
                    )
                )
        for field_name, header in _REQUIRED.items():
            if field_name not in fields:
                issues.append(
                    ImportIssue(
                        name,
                        sheet.name,
                        f"{row_number + 1}行目",
                        None,
                        f"必須の列「{header}」がありません。見出し行に {_HEADER_HELP} の列を入れてください。",
                    )
                )
        return row_number, columns
    return None


def _read_rows(name: str, sheet: Sheet, header_row: int, columns: dict[int, str]) -> pd.DataFrame:
    body = sheet.rows[header_row + 1 :]
    data = {
        field_name: pd.Series([row[column] if column < len(row) else "" for row in body], dtype=object)
        for column, field_name in columns.items()
    }
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(body)))
    for column, field_name in columns.items():
        frame[f"{field_name}_column"] = column
    for field_name in set(_HEADERS.values()) - set(columns.values()):
        frame[field_name] = pd.Series("", index=frame.index, dtype=object)
        frame[f"{field_name}_column"] = -1
    frame = frame.assign(file=name, sheet=sheet.name, row=np.arange(header_row + 1, header_row + 1 + len(body)))
    blank = frame[list(set(_HEADERS.values()))].map(is_blank).all(axis=1)
    return frame[~blank].reset_index(drop=True)


def _check(raw: pd.DataFrame, indicators: pd.DataFrame, last_year: int, issues: list[ImportIssue]) -> pd.DataFrame:
    rejected = pd.Series(False, index=raw.index)

    def report(mask: pd.Series, field_name: str, message: str | pd.Series) -> None:
        messages = message if isinstance(message, pd.Series) else pd.Series(message, index=raw.index)
        # A missing column is reported once, at the header; its empty cells are not news.
        mask = mask.fillna(False).astype(bool) & (raw[f"{field_name}_column"] >= 0)
        rejected[mask] = True
        for i in raw.index[mask.to_numpy()]:
            column = raw.at[i, f"{field_name}_column"]
            cell = cell_reference(raw.at[i, "row"], column) if column >= 0 else f"{raw.at[i, 'row'] + 1}行目"
            issues.append(ImportIssue(raw.at[i, "file"], raw.at[i, "sheet"], cell, raw.at[i, field_name], messages[i]))

    codes = _resolve_indicators(raw["indicator"], indicators)
    blank_indicator = raw["indicator"].map(is_blank)
    report(blank_indicator, "indicator", "指標を入力してください（「1-①」のような指標コードか指標名）")
    report(
        codes.isna() & ~blank_indicator,
        "indicator",
        "計画にない指標です。「1-①」のような指標コードか、指標名を計画のとおりに書いてください",
    )
    years, year_errors = _parse_column(raw["fiscal_year"], parse_fiscal_year, required="年度を入力してください")
    report(year_errors.notna(), "fiscal_year", year_errors)
    report(
        years.notna() & ((years < FIRST_PLAUSIBLE_YEAR) | (years > last_year)),
        "fiscal_year",
        f"年度が範囲外です。{FIRST_PLAUSIBLE_YEAR}〜{last_year}年度の値にしてください",
    )

    values, value_errors = _parse_column(raw["value"], parse_number, required="値を入力してください")
    report(value_errors.notna(), "value", value_errors)
    units = codes.map(indicators.set_index("code")["unit"])
    report(
        (units == v.PERCENT) & ((values < 0) | (values > 100)),
        "value",
        "割合は 0〜100 の範囲で入力してください（％の値をそのまま。0.452 ではなく 45.2）",
    )
    report((units == v.ORGANISATIONS) & (values < 0), "value", "件数は 0 以上で入力してください")

    respondents, n_errors = _parse_column(raw["respondents"], parse_number)
    report(n_errors.notna(), "respondents", n_errors)
    bad_n = respondents.notna() & ((respondents < 1) | (respondents % 1 != 0))
    report(bad_n, "respondents", "回答者数は 1 以上の整数で入力してください")

    dimension = raw["dimension"].map(normalise_text)
    category = raw["category"].map(lambda value: "" if is_blank(value) else str(value).strip())
    report(
        (dimension == "") != (category == ""),
        "category",
        "区分と区分値は両方入れるか、全体の値なら両方とも空欄にしてください",
    )

    parsed = pd.DataFrame(
        {
            "indicator_code": codes,
            "fiscal_year": years,
            "dimension": dimension,
            "category": category,
            "value": values,
            "respondents": respondents.where(~bad_n).round().astype("Int64"),
            "note": raw["note"].map(lambda value: "" if is_blank(value) else str(value).strip()),
        }
    )
    complete = parsed[["indicator_code", "fiscal_year"]].notna().all(axis=1)
    duplicated = complete & parsed.duplicated(KEY, keep=False)
    if duplicated.any():
        first = parsed[duplicated].reset_index().groupby(KEY)["index"].transform("min").to_numpy()
        message = pd.Series("", index=raw.index)
        message[duplicated] = [
            f"同じ指標・年度・区分の行が重複しています（最初の行: {_where(raw.loc[i])}）。どちらか一方を消してください"
            for i in first
        ]
        report(duplicated & ~raw.index.isin(first), "indicator", message)
    usable = ~rejected & parsed[["indicator_code", "fiscal_year", "value"]].notna().all(axis=1)
    return parsed[usable].astype({"fiscal_year": int})


def _where(row: pd.Series) -> str:
    sheet = f"シート「{row['sheet']}」" if row["sheet"] else ""
    return f"{row['file']} {sheet}{row['row'] + 1}行目"


def _resolve_indicators(column: pd.Series, indicators: pd.DataFrame) -> pd.Series:
    """Plan code for each cell, matched on code or full name; NaN where nothing matches."""
    lookup = {normalise_text(code): code for code in indicators["code"]}
    lookup |= {normalise_text(name): code for name, code in zip(indicators["name"], indicators["code"], strict=True)}
    uniques = pd.Series(column.unique())
    mapping = dict(zip(uniques, uniques.map(lambda cell: lookup.get(normalise_text(cell))), strict=True))
    return column.map(mapping)


def _parse_column(column: pd.Series, parse, required: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Parsed values and, per cell, the Japanese error (NaN where fine); parses each distinct text once."""
    is_number = column.map(lambda cell: isinstance(cell, int | float) and not isinstance(cell, bool)).astype(bool)
    numeric = pd.to_numeric(column.where(is_number), errors="coerce")
    results: dict[object, tuple[float, str | None]] = {}
    for cell in column[numeric.isna()].unique():
        if is_blank(cell):
            results[cell] = (np.nan, required)
            continue
        try:
            results[cell] = (parse(cell), None)
        except CellError as error:
            results[cell] = (np.nan, str(error))
    slow = column[numeric.isna()]
    parsed = numeric.astype(float).copy()
    parsed[slow.index] = [results[cell][0] for cell in slow]
    errors = pd.Series(np.nan, index=column.index, dtype=object)
    errors[slow.index] = [results[cell][1] for cell in slow]
    if parse is parse_fiscal_year:
        whole = numeric.notna()
        errors[whole & (numeric % 1 != 0)] = "年度は整数で入力してください"
        parsed[whole & (numeric % 1 != 0)] = np.nan
        small = whole & (numeric < 1000)
        errors[small] = "年度は「2024」または「令和6年度」のように書いてください（元号のない年数は判別できません）"
        parsed[small] = np.nan
    return parsed, errors.where(errors.notna(), np.nan)
