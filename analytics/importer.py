"""Survey results in: read spreadsheets (long or wide layout), validate every cell, import as one batch."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.cells import CellError, is_blank, normalise_text, parse_fiscal_year, parse_number
from analytics.layouts import HEADER_HELP, ImportIssue, SheetReport, empty_frame, read_table
from analytics.observations import KEY
from analytics.schemas import ObservationFrame
from analytics.spreadsheets import (
    SpreadsheetError,
    cell_reference,
    read_percent_cells,
    read_sheets,
)

FIRST_PLAUSIBLE_YEAR = 1989  # 平成元年度: no survey of this plan predates it.
UNCACHED_FORMULA = (
    "数式の計算結果が保存されていません。Excel で開いて上書き保存してから、もう一度アップロードしてください"
    "（数式を作ったソフトによっては、計算結果を保存しないことがあります）。"
)
_AMBIGUOUS_SHARE = (
    "割合が 0〜1 の小数で書かれていて、45.2% の意味か 0.452% の意味か判別できません。"
    "％の数値（例: 45.2）で入力してください（1% 未満の値なら「0.452%」のように % を付けて入力）"
)
_AMBIGUOUS_FIXES = {
    ".xlsx": "。または、セルの書式を「パーセント」にしてください",
    ".xls": "。xls 形式ではセルの書式を確かめられないため、パーセント書式の表は xlsx 形式で保存し直してください",
    ".csv": "",
}


@dataclass(frozen=True)
class Validation:
    """What a set of files would import: every issue, every row read (with its error, if any), what
    happened to each sheet, the files' identities, and whether the rows are sample data."""

    issues: list[ImportIssue]
    sources: list[store.SourceFile]
    sheets: list[SheetReport]
    rows: pd.DataFrame
    sample: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def observations(self) -> pd.DataFrame:
        """The rows without an error, as observations to store. Derived on demand rather than kept,
        so that a million-row preview is held, and sent back from the worker, once."""
        columns = [column for column in ObservationFrame.to_schema().columns if column != "sample"]
        valid = self.rows.loc[self.rows["error"] == "", columns].astype({"fiscal_year": int})
        return ObservationFrame.validate(valid.assign(sample=self.sample)).reset_index(drop=True)


class RejectedImportError(ValueError):
    """Validation found problems, so nothing was written."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = issues
        super().__init__(f"{len(issues)} 件の問題があるため、何も取り込みませんでした。")


def validate_files(
    files: list[tuple[str, bytes]],
    indicators: pd.DataFrame,
    *,
    sample: bool = False,
    today: date | None = None,
    on_progress: Callable[[int, str, int], None] | None = None,
) -> Validation:
    """Parse and check every file completely; nothing is written, whatever the outcome.

    `on_progress(i, name, rows)` is called before the i-th file (0-based) is read and as its rows
    are read, `rows` counting every file's rows read so far; last with i = len(files) and name ""
    when everything is read and the rows are being checked.
    """
    last_year = (today or date.today()).year
    resolve = _resolver(indicators)
    contents = dict(files)
    checked, issues, sources, sheets = [], [], [], []
    rows_before = 0
    for index, (name, content) in enumerate(files):
        if on_progress:
            on_progress(index, name, rows_before)
        on_rows = partial(_report_rows, on_progress, index, name, rows_before) if on_progress else None
        try:
            workbook = read_sheets(name, content, on_rows)
        except SpreadsheetError as error:
            issues.append(ImportIssue(name, error.sheet, error.cell, None, str(error).removeprefix(f"{name}: ")))
            continue
        rows_before += sum(len(sheet.rows) for sheet in workbook)
        values_in_file = 0
        for sheet in workbook:
            issues.extend(
                ImportIssue(name, sheet.name, cell, None, UNCACHED_FORMULA) for cell in sheet.uncached_formulas
            )
            frame, report = read_table(name, sheet, resolve, issues)
            sheets.append(report)
            if frame is not None:
                # Checked sheet by sheet into compact columns: the cells as Python objects are held
                # for one sheet at a time, never for a whole million-row upload.
                checked.append(_check(frame, indicators, resolve, last_year, contents, issues))
                values_in_file += len(frame)
        del workbook  # the next file's cells must not be read while this one's are still held
        if values_in_file == 0 and not any(issue.file == name for issue in issues):
            issues.append(
                ImportIssue(
                    name, "", "", None, f"取り込める行がありません。見出し行 {HEADER_HELP} と値を入れてください。"
                )
            )
        sources.append(store.SourceFile.from_bytes(name, content, values_in_file))
    if on_progress:
        on_progress(len(files), "", rows_before)
    if not checked:
        checked.append(_check(empty_frame(), indicators, resolve, last_year, contents, issues))
    rows = _mark_duplicates(_stack(checked), issues)
    return Validation(
        issues=sorted(_without_echoes(issues), key=lambda issue: issue.position),
        sources=sources,
        sheets=sheets,
        rows=rows,
        sample=sample,
    )


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The checked sheets as one frame, emptying `frames` column by column as it goes, so that a
    million rows are held twice one column at a time, never whole. Categorical columns stay
    categorical (pandas.concat makes Python objects of categoricals whose categories differ)."""
    columns = {}
    for column in list(frames[0].columns):
        parts = [frame.pop(column) for frame in frames]
        categorical = isinstance(parts[0].dtype, pd.CategoricalDtype)
        columns[column] = union_categoricals(parts) if categorical else pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns, copy=False)


def _report_rows(
    on_progress: Callable[[int, str, int], None], index: int, name: str, rows_before: int, rows: int
) -> None:
    on_progress(index, name, rows_before + rows)


def import_files(
    engine: Engine,
    files: list[tuple[str, bytes]],
    user: str,
    *,
    replace: bool = False,
    sample: bool = False,
    expected_batch: int | None = None,
) -> store.BatchResult:
    """Validate, then write all files as one batch; any issue raises RejectedImportError and writes nothing.

    `expected_batch` is passed on to store.record_batch (StaleBatchError when the store moved on)."""
    indicators = store.read_plans(engine)[-1].indicators
    validation = validate_files(files, indicators, sample=sample)
    if not validation.ok:
        raise RejectedImportError(validation.issues)
    return store.record_batch(
        engine, validation.observations, validation.sources, user, replace=replace, expected_batch=expected_batch
    )


def read_files(paths: list[Path]) -> list[tuple[str, bytes]]:
    """Each file's name and bytes, the form every importer function takes."""
    return [(Path(path).name, Path(path).read_bytes()) for path in paths]


def _without_echoes(issues: list[ImportIssue]) -> list[ImportIssue]:
    """Each issue once; a formula cell without a saved value is reported as that, not also as empty."""
    unique = list(dict.fromkeys(issues))
    uncached = {(i.file, i.sheet, i.cell) for i in unique if i.message == UNCACHED_FORMULA}
    return [i for i in unique if i.message == UNCACHED_FORMULA or (i.file, i.sheet, i.cell) not in uncached]


def _resolver(indicators: pd.DataFrame) -> Callable[[object], str | None]:
    """Plan code for a cell written as the code or the full name; None when nothing matches."""
    lookup = {normalise_text(code): code for code in indicators["code"]}
    lookup |= {normalise_text(name): code for name, code in zip(indicators["name"], indicators["code"], strict=True)}
    return lambda cell: lookup.get(normalise_text(cell))


def _check(
    raw: pd.DataFrame,
    indicators: pd.DataFrame,
    resolve: Callable[[object], str | None],
    last_year: int,
    contents: dict[str, bytes],
    issues: list[ImportIssue],
) -> pd.DataFrame:
    """Every row of one sheet parsed into compact columns, with `error` holding its problems ("" when
    it can be imported); duplicates across sheets are left to _mark_duplicates."""
    errors: dict[int, list[str]] = {}

    def report(mask: pd.Series, field_name: str, message: str | pd.Series) -> None:
        messages = message if isinstance(message, pd.Series) else pd.Series(message, index=raw.index)
        # A missing column is reported once, at the header; its empty cells are not news.
        mask = mask.fillna(False).astype(bool) & (raw[f"{field_name}_column"] >= 0)
        for i in raw.index[mask.to_numpy()]:
            cell = cell_reference(raw.at[i, f"{field_name}_row"], raw.at[i, f"{field_name}_column"])
            issues.append(ImportIssue(raw.at[i, "file"], raw.at[i, "sheet"], cell, raw.at[i, field_name], messages[i]))
            errors.setdefault(i, []).append(messages[i])

    codes = _map_unique(raw["indicator"], resolve)
    blank_indicator = raw["indicator"].map(is_blank)
    report(blank_indicator, "indicator", "指標を入力してください（「1-①」のような指標コードか指標名）")
    report(
        codes.isna() & ~blank_indicator,
        "indicator",
        "計画にない指標です。「1-①」のような指標コードか、指標名を計画のとおりに書いてください",
    )
    names = indicators.set_index("code")["name"]
    named = _map_unique(raw["indicator_name"], resolve)
    report(
        named.notna() & codes.notna() & (named != codes),
        "indicator_name",
        _map_unique(
            codes,
            lambda code: (
                f"指標コードと指標名が一致しません（{code} の指標名は「{names.get(code, '')}」）。どちらかを直してください"
            ),
        ),
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
    values = _read_percent_formats(raw, values, units == v.PERCENT, contents, report)
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

    error = pd.Series("", index=raw.index, dtype=object)
    error[list(errors)] = ["。".join(dict.fromkeys(found)) for found in errors.values()]
    # Compact columns: texts as categoricals (a column repeats a few texts many times), numbers in
    # small types. A value as written is kept only where it could not be read: the preview shows it there.
    checked = pd.DataFrame(
        {
            "indicator_code": codes.astype("str"),
            "fiscal_year": years.astype("Int32"),
            "dimension": dimension.astype("str"),
            "category": category.astype("str"),
            "value": values,
            "respondents": respondents.where(~bad_n).round().astype("Int64"),
            "note": raw["note"].map(lambda value: "" if is_blank(value) else str(value).strip()).astype("str"),
            "indicator_text": raw["indicator"].astype("str"),
            "value_text": raw["value"].where(values.isna(), "").astype("str"),
            "file": raw["file"].astype("str"),
            "sheet": raw["sheet"].astype("str"),
            "row": raw["row"].astype("int32"),
            "indicator_row": raw["indicator_row"].astype("int32"),
            "indicator_column": raw["indicator_column"].astype("int32"),
            "value_row": raw["value_row"].astype("int32"),
            "value_column": raw["value_column"].astype("int32"),
            "error": error.astype("str"),
        }
    )
    return checked.astype(dict.fromkeys(checked.select_dtypes("str").columns, "category"))


def _mark_duplicates(rows: pd.DataFrame, issues: list[ImportIssue]) -> pd.DataFrame:
    """The checked rows of every file with rows repeating an earlier key reported, and rows that
    cannot be read for want of a column marked: both need every file's rows at once."""
    error = rows["error"].astype(object)
    complete = rows[["indicator_code", "fiscal_year"]].notna().all(axis=1)
    duplicated = complete & rows.duplicated(KEY, keep=False)
    if duplicated.any():
        first = rows[duplicated].reset_index().groupby(KEY)["index"].transform("min").to_numpy()
        later = duplicated & ~rows.index.isin(first)
        for i, origin in zip(rows.index[duplicated], first, strict=True):
            if not later[i]:
                continue
            message = (
                f"同じ指標・年度・区分の行が重複しています（最初の行: {_where(rows.loc[origin])}）。"
                "どちらか一方を消してください"
            )
            cell = cell_reference(rows.at[i, "indicator_row"], rows.at[i, "indicator_column"])
            issues.append(
                ImportIssue(rows.at[i, "file"], rows.at[i, "sheet"], cell, rows.at[i, "indicator_text"], message)
            )
            error[i] = f"{error[i]}。{message}" if error[i] else message
    unreadable = (error == "") & rows[["indicator_code", "fiscal_year", "value"]].isna().any(axis=1)
    error[unreadable] = "シートの見出しに問題があるため読めません（エラーの一覧を見てください）"
    return rows.assign(error=error.astype("str").astype("category"))


def _read_percent_formats(
    raw: pd.DataFrame,
    values: pd.Series,
    shares: pd.Series,
    contents: dict[str, bytes],
    report: Callable[[pd.Series, str, str | pd.Series], None],
) -> pd.Series:
    """Shares written as fractions: a percent-formatted cell (0.452 shown as 45.2%) means 45.2; any
    other fraction is ambiguous and reported. Formats are read only for sheets that have fractions,
    so a sheet of plain percentages never leaves the fast path."""
    fraction = shares & (values > 0) & (values <= 1)
    if not fraction.any():
        return values
    written_with_sign = raw["value"].where(fraction).map(lambda cell: isinstance(cell, str) and "%" in cell)
    fraction &= ~written_with_sign.fillna(False).astype(bool)
    numeric = shares & raw["value"].map(lambda cell: isinstance(cell, int | float) and not isinstance(cell, bool))
    scaled = values.copy()
    messages = pd.Series(_AMBIGUOUS_SHARE, index=raw.index)
    for (file, sheet), group in raw[fraction].groupby(["file", "sheet"], sort=False):
        suffix = Path(file).suffix.lower()
        messages[group.index] = _AMBIGUOUS_SHARE + _AMBIGUOUS_FIXES.get(suffix, "")
        in_sheet = raw[numeric & (raw["file"] == file) & (raw["sheet"] == sheet)]
        cells = list(zip(in_sheet["value_row"], in_sheet["value_column"], strict=True))
        percent = read_percent_cells(file, contents[file], sheet, cells) or set()
        formatted = in_sheet.index[[cell in percent for cell in cells]]
        scaled[formatted] = (values[formatted] * 100).round(10)
        fraction[formatted] = False
    report(fraction, "value", messages)
    return scaled.where(~fraction)


def _where(row: pd.Series) -> str:
    sheet = f"シート「{row['sheet']}」" if row["sheet"] else ""
    return f"{row['file']} {sheet}{row['row'] + 1}行目"


def _map_unique(column: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """`function` of every cell, computed once per distinct cell (columns repeat a few values many times)."""
    uniques = pd.Series(column.unique())
    return column.map(dict(zip(uniques, uniques.map(function), strict=True)))


def _parse_column(
    column: pd.Series, parse: Callable[[object], float], required: str | None = None
) -> tuple[pd.Series, pd.Series]:
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
