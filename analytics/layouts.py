"""Finding the table in a sheet and reading its cells, long layout or wide, into one frame of raw cells."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.cells import CellError, is_blank, is_not_surveyed, normalise_text, parse_fiscal_year
from analytics.spreadsheets import Sheet, cell_reference

LONG, WIDE = "long", "wide"
LAYOUT_LABELS = {LONG: "縦長形式（1行に1つの値）", WIDE: "横長形式（1行に1指標、1列に1年度）"}

# Every field a table can give an observation; each comes with the 0-based row and column of its
# cell (-1 when the table has no such column), so that any problem can be reported at its cell.
FIELDS = ("fiscal_year", "indicator", "indicator_name", "value", "respondents", "dimension", "category", "note")
HEADER_HELP = "「年度」「指標」「値」「回答者数」「区分」「区分値」「備考」"

_HEADER_SEARCH_ROWS = 30
_PLAUSIBLE_YEARS = range(1989, 2101)
# Header text → field. Several spellings seen in real city files.
_HEADER_SPELLINGS = {
    "年度": "fiscal_year",
    "調査年度": "fiscal_year",
    "指標": "indicator",
    "指標コード": "indicator",
    "指標番号": "indicator",
    "施策評価指標": "indicator",
    "評価指標": "indicator",
    "指標名": "indicator_name",
    "値": "value",
    "実績値": "value",
    "回答者数": "respondents",
    "回答数": "respondents",
    "n": "respondents",
    "区分": "dimension",
    "区分値": "category",
    "備考": "note",
}
# Compared after normalise_text, which also turns 「ー」 into 「-」, so the spellings are normalised too.
_HEADERS = {normalise_text(text): field_name for text, field_name in _HEADER_SPELLINGS.items()}
_INDICATOR_HEADERS = {text for text, field_name in _HEADERS.items() if field_name in ("indicator", "indicator_name")}
_RESPONDENT_LABELS = {
    normalise_text(t) for t in ("回答者数", "回答数", "n", "回答者数(人)", "回答者数(n)", "標本数", "サンプル数")
}
_VALUE_LABELS = {normalise_text(t) for t in ("値", "実績値", "割合", "割合(%)", "%", "結果", "調査結果")}
# Headers of a column that only says whether a row holds values or respondent counts.
_ROW_LABEL_HEADERS = {"項目", "種別", "内訳"}
_YEARISH = re.compile(r"\d|令和|平成|^[RH]\d|元年")
# Columns hand-kept tables carry beside the years that are not survey results (基準値(H27), 目標値(R7)…).
_NOT_RESULTS = ("基準", "目標", "単位", "順位", "増減", "前年", "差")
_LABEL_BRACKETS = "【】[]「」<>〈〉"


_RAW_COLUMNS = [
    *[name for field_name in FIELDS for name in (field_name, f"{field_name}_row", f"{field_name}_column")],
    "row",
]


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
        return f"{where}: {self.explanation}"

    @property
    def explanation(self) -> str:
        """The problem, how to fix it, and the value found, without the place."""
        # 15 significant digits hide binary noise such as 0.5479999999999999 (written for 0.548).
        value = f"{self.value:.15g}" if isinstance(self.value, float) else self.value
        return self.message + ("" if is_blank(value) else f"（値: {value}）")

    @property
    def position(self) -> tuple:
        """Sort key: file, sheet, then row and column as a person scans a sheet (A2 before A10)."""
        match = re.match(r"([A-Z]*)(\d*)", self.cell)
        letters, digits = match.groups() if match else ("", "")
        return (self.file, self.sheet, int(digits or 0), len(letters), letters)


@dataclass(frozen=True)
class SheetReport:
    """What happened to one sheet: read in which layout and how many values, or skipped and why."""

    file: str
    sheet: str
    layout: str | None
    values: int
    note: str = ""

    def __str__(self) -> str:
        where = self.file + (f" シート「{self.sheet}」" if self.sheet else "")
        if self.layout is None:
            return f"{where}: 読み飛ばしました（{self.note}）"
        extra = f"。{self.note}" if self.note else ""
        return f"{where}: {LAYOUT_LABELS[self.layout]}として {self.values} 件を読みました{extra}"


@dataclass(frozen=True)
class _Header:
    layout: str
    row: int
    columns: dict[int, str]
    years: dict[int, int]
    respondent_columns: frozenset[int]

    @property
    def score(self) -> int:
        return len(set(self.columns.values()))


def read_table(
    file: str, sheet: Sheet, resolve: Callable[[object], str | None], issues: list[ImportIssue]
) -> tuple[pd.DataFrame | None, SheetReport]:
    """The sheet's observations as raw cells (see FIELDS), or None when the sheet holds no table.

    `resolve` maps an indicator cell to its plan code (None if unknown); the wide layout needs it to
    pair a 回答者数 row with its value row. Problems with the table's shape go into `issues`.
    """
    if not sheet.worksheet:
        return None, SheetReport(file, sheet.name, None, 0, "グラフなど、表ではないシートです")
    if sheet.hidden:
        return None, SheetReport(file, sheet.name, None, 0, "非表示のシートです。取り込むには再表示してください")
    header = _find_header(sheet.rows)
    if header is None:
        reason = (
            "空のシートです"
            if not any(any(not is_blank(c) for c in row) for row in sheet.rows)
            else (f"見出し行（{HEADER_HELP}、または「指標」と年度の列）が見つかりません")
        )
        return None, SheetReport(file, sheet.name, None, 0, reason)
    if header.layout == LONG:
        _check_long_header(file, sheet, header, issues)
        frame, note = _read_long(file, sheet, header), ""
    else:
        frame, note = _read_wide(file, sheet, header, resolve, issues)
    return frame, SheetReport(file, sheet.name, header.layout, len(frame), note)


def empty_frame() -> pd.DataFrame:
    """A raw frame with no rows and every column, for a set of files that yielded nothing."""
    return _long_frame("", "", [], 0, {})


def _find_header(rows: list[list]) -> _Header | None:
    """The first header row; a second header row right below it wins when it says more
    (two-row headers: years under a merged 「年度」 or 「回答者数」 label, or a long header split over two rows)."""
    for number in range(min(_HEADER_SEARCH_ROWS, len(rows))):
        header = _classify(rows, number)
        if header is None:
            continue
        below = _classify(rows, number + 1) if number + 1 < len(rows) else None
        if below and (
            (below.layout == WIDE and len(below.years) >= 2) or (below.layout == LONG and below.score > header.score)
        ):
            return below
        return header
    return None


def _classify(rows: list[list], number: int) -> _Header | None:
    row = rows[number]
    above = rows[number - 1] if number > 0 else []
    columns = {i: _HEADERS[normalise_text(cell)] for i, cell in enumerate(row) if normalise_text(cell) in _HEADERS}
    if {"fiscal_year", "value"} & set(columns.values()) and len(columns) >= 2:
        return _Header(LONG, number, _name_as_indicator(columns), {}, frozenset())
    years = {i: year for i, cell in enumerate(row) if i not in columns and (year := _plausible_year(cell))}
    # Headers meant as years that cannot be read (「6年度」) still make a wide header, so that the
    # reader reports them at their cell instead of skipping the sheet.
    attempted = any(i not in columns and i not in years and _looks_like_year(cell) for i, cell in enumerate(row))
    # An unmerged two-row header: 「指標」 sits above a blank cell next to the years.
    for i, cell in enumerate(above):
        text = normalise_text(cell)
        if i not in columns and i not in years and text in _HEADERS and (i >= len(row) or is_blank(row[i])):
            columns[i] = _HEADERS[text]
    if not (years or attempted) or not {"indicator", "indicator_name"} & set(columns.values()):
        return None
    respondents = frozenset(i for i in years if i < len(above) and _label(normalise_text(above[i])) == "respondents")
    return _Header(WIDE, number, _name_as_indicator(columns), years, respondents)


def _name_as_indicator(columns: dict[int, str]) -> dict[int, str]:
    """A table with only a 指標名 column identifies indicators by name; with both, 指標名 is checked against the code."""
    if "indicator" in columns.values():
        return columns
    return {column: "indicator" if name == "indicator_name" else name for column, name in columns.items()}


def _looks_like_year(cell: object) -> bool:
    text = "" if is_blank(cell) else normalise_text(cell)
    return bool(_YEARISH.search(text)) and not any(word in text for word in _NOT_RESULTS)


def _plausible_year(cell: object) -> int | None:
    if is_blank(cell) or isinstance(cell, bool):
        return None
    try:
        year = parse_fiscal_year(cell)
    except CellError:
        return None
    return year if year in _PLAUSIBLE_YEARS else None


def _check_long_header(file: str, sheet: Sheet, header: _Header, issues: list[ImportIssue]) -> None:
    fields = list(header.columns.values())
    for column, field_name in header.columns.items():
        if fields.count(field_name) > 1:
            issues.append(
                ImportIssue(
                    file,
                    sheet.name,
                    cell_reference(header.row, column),
                    sheet.rows[header.row][column],
                    "同じ意味の列見出しが複数あります。どちらか一方だけにしてください。",
                )
            )
    required = {"fiscal_year": "年度", "indicator": "指標", "value": "値"}
    for field_name, label in required.items():
        if field_name not in fields:
            issues.append(
                ImportIssue(
                    file,
                    sheet.name,
                    f"{header.row + 1}行目",
                    None,
                    f"必須の列「{label}」がありません。見出し行に {HEADER_HELP} の列を入れてください。",
                )
            )


def _read_long(file: str, sheet: Sheet, header: _Header) -> pd.DataFrame:
    columns = {field_name: column for column, field_name in header.columns.items()}
    return _long_frame(file, sheet.name, sheet.rows[header.row + 1 :], header.row + 1, columns)


def _long_frame(file: str, sheet_name: str, body: list[list], first_row: int, columns: dict[str, int]) -> pd.DataFrame:
    rows = np.arange(first_row, first_row + len(body))
    data: dict[str, object] = {}
    for field_name in FIELDS:
        column = columns.get(field_name, -1)
        cells = [row[column] if 0 <= column < len(row) else "" for row in body]
        data[field_name] = pd.Series(cells, dtype=object)
        data[f"{field_name}_row"] = rows if column >= 0 else -1
        data[f"{field_name}_column"] = column
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(body))).assign(file=file, sheet=sheet_name, row=rows)
    blank = frame[list(FIELDS)].map(is_blank).all(axis=1)
    return frame[~blank].reset_index(drop=True)


def _label(text: str) -> str | None:
    """Whether a cell's text says its row (or block, or column group) holds values or respondent counts."""
    text = text.strip(_LABEL_BRACKETS)
    if text.lower() in _RESPONDENT_LABELS:
        return "respondents"
    return "value" if text in _VALUE_LABELS else None


def _read_wide(
    file: str, sheet: Sheet, header: _Header, resolve: Callable[[object], str | None], issues: list[ImportIssue]
) -> tuple[pd.DataFrame, str]:
    """One row per indicator, one column per year; 回答者数 as labelled rows, a labelled block
    below the values, or a block of year columns under a 「回答者数」 label."""
    rows = sheet.rows
    header_cells = rows[header.row]

    def issue(row: int, column: int, message: str) -> None:
        issues.append(ImportIssue(file, sheet.name, cell_reference(row, column), rows[row][column], message))

    value_columns, respondent_columns, ignored = {}, {}, []
    for column, cell in enumerate(header_cells):
        if column in header.years:
            target = respondent_columns if column in header.respondent_columns else value_columns
            year = header.years[column]
            if year in target.values():
                first = next(c for c, y in target.items() if y == year)
                issue(
                    header.row,
                    column,
                    f"同じ年度の列が2つあります（最初の列: {cell_reference(header.row, first)}）。どちらか一方にしてください。",
                )
                continue
            target[column] = year
        elif column in header.columns:
            if header.columns[column] == "respondents":
                issue(
                    header.row,
                    column,
                    "横長形式では、この回答者数がどの年度のものか分かりません。回答者数は年度ごとに、"
                    "「回答者数」と書いた行か、年度の列の上に「回答者数」と書いた列のまとまりで入れてください。",
                )
            elif header.columns[column] == "value":
                ignored.append(normalise_text(cell))
        elif not is_blank(cell) and normalise_text(cell) not in _ROW_LABEL_HEADERS:
            if _looks_like_year(cell):
                issue(header.row, column, _year_problem(cell))
            else:
                ignored.append(normalise_text(cell))

    fields = {
        field_name: column
        for column, field_name in header.columns.items()
        if field_name not in ("fiscal_year", "value", "respondents")
    }
    indicator_column = fields.get("indicator", -1)
    year_columns = set(value_columns) | set(respondent_columns)
    records, counts = [], {}
    last_indicator: object | None = None
    mode = "value"
    for number in range(header.row + 1, len(rows)):
        row = rows[number]
        texts = {c: normalise_text(cell) for c, cell in enumerate(row) if not is_blank(cell)}
        if not texts or _repeats_header(row, header.years, indicator_column):
            continue
        if len(set(texts.values())) == 1:
            only = next(iter(texts.values()))
            # A block title (「回答者数」) switches what the rows below hold; any other text spread
            # over a merged row is a title or a note, not data.
            if section := _label(only):
                mode = section
                continue
            if len(texts) > 1:
                continue
        label = next((_label(t) for c, t in texts.items() if c not in year_columns and _label(t)), None)
        kind = label or mode
        indicator_cell = row[indicator_column] if 0 <= indicator_column < len(row) else ""
        own_indicator = not is_blank(indicator_cell) and _label(normalise_text(indicator_cell)) is None
        if kind == "value":
            base = _cells_of(row, number, fields)
            last_indicator = indicator_cell if own_indicator else None
            key_base = (_pairing_key(indicator_cell, resolve), base["dimension"], base["category"])
            for column, year, cell in _filled(row, value_columns):
                record = base | {
                    "fiscal_year": year,
                    "fiscal_year_row": header.row,
                    "fiscal_year_column": column,
                    "value": cell,
                    "value_row": number,
                    "value_column": column,
                    "row": number,
                }
                records.append(record)
                n_column = next((c for c, y in respondent_columns.items() if y == year), None)
                n_cell = row[n_column] if n_column is not None and n_column < len(row) else ""
                if not is_blank(n_cell) and not is_not_surveyed(n_cell):
                    counts.setdefault((*key_base, year), []).append((n_cell, number, n_column))
            continue
        owner = indicator_cell if own_indicator else last_indicator
        if owner is None:
            issues.append(
                ImportIssue(
                    file,
                    sheet.name,
                    f"{number + 1}行目",
                    None,
                    "どの指標の回答者数か分かりません。この行の指標の列に指標コード（例「1-①」）を入れてください。",
                )
            )
            continue
        base = _cells_of(row, number, fields)
        key_base = (_pairing_key(owner, resolve), base["dimension"], base["category"])
        for column, year, cell in _filled(row, value_columns):
            counts.setdefault((*key_base, year), []).append((cell, number, column))

    for record in records:
        key = (
            _pairing_key(record["indicator"], resolve),
            record["dimension"],
            record["category"],
            record["fiscal_year"],
        )
        found = counts.pop(key, [])
        if found:
            cell, number, column = found[0]
            record |= {"respondents": cell, "respondents_row": number, "respondents_column": column}
        for _, number, column in found[1:]:
            issue(number, column, "同じ指標・年度の回答者数が2つあります。どちらか一方を消してください。")
    for found in counts.values():
        for _, number, column in found:
            issue(
                number,
                column,
                "この回答者数に対応する値がありません。同じ指標・年度の値があるか、指標の書き方が値の行と同じか確かめてください。",
            )
    note = f"列「{'」「'.join(ignored)}」は読み込みません" if ignored else ""
    frame = pd.DataFrame.from_records(records, columns=_RAW_COLUMNS) if records else empty_frame()
    return frame.assign(file=file, sheet=sheet.name), note


def _filled(row: list, columns: dict[int, int]) -> list[tuple[int, int, object]]:
    """(column, year, cell) for each year column of the row that holds something (「－」 holds nothing)."""
    cells = [(column, year, row[column] if column < len(row) else "") for column, year in columns.items()]
    return [(column, year, cell) for column, year, cell in cells if not is_blank(cell) and not is_not_surveyed(cell)]


def _cells_of(row: list, number: int, fields: dict[str, int]) -> dict[str, object]:
    """The per-row fields of a wide row (indicator, breakdown, note) with their cell positions."""
    cells: dict[str, object] = {}
    for field_name in FIELDS:
        column = fields.get(field_name, -1)
        cells[field_name] = row[column] if 0 <= column < len(row) else ""
        cells[f"{field_name}_row"] = number if column >= 0 else -1
        cells[f"{field_name}_column"] = column
    cells["dimension"] = normalise_text(cells["dimension"])
    cells["category"] = "" if is_blank(cells["category"]) else str(cells["category"]).strip()
    return cells


def _pairing_key(cell: object, resolve: Callable[[object], str | None]) -> str:
    return resolve(cell) or normalise_text(cell)


def _repeats_header(row: list, years: dict[int, int], indicator_column: int) -> bool:
    """A header repeated above a block (e.g. above 回答者数): 「指標」 again, or the same years written as text."""
    if 0 <= indicator_column < len(row) and normalise_text(row[indicator_column]) in _INDICATOR_HEADERS:
        return True
    cells = [(row[c], year) for c, year in years.items() if c < len(row) and not is_blank(row[c])]
    return any(isinstance(cell, str) for cell, _ in cells) and all(_plausible_year(c) == y for c, y in cells)


def _year_problem(cell: object) -> str:
    try:
        year = parse_fiscal_year(cell)
    except CellError as error:
        return f"年度の見出しとして読めません。{error}"
    return f"年度が範囲外です（{year}年度）。{_PLAUSIBLE_YEARS.start}年度以降の年度にしてください"
