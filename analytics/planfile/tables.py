"""Find the 体系表 tables in a file: the seed's tab-separated text form, or the sheets of a workbook."""

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from analytics import spreadsheets
from analytics import vocabulary as v
from analytics.plan import PlanError

# Level names cities use, matched against a whole header cell (after NFKC, without spaces).
LEVEL_ALIASES = {
    v.POLICY: ("基本方針", "基本目標", "目標"),
    v.MEASURE: ("基本施策", "施策"),
    v.DIRECTION: ("施策の方向", "方向性", "施策の展開"),
    v.ACTION: ("取組項目", "主な取組", "取組", "事業"),
    v.INDICATOR: ("施策評価指標", "成果指標", "指標"),
}
HIERARCHY = (v.POLICY, v.MEASURE, v.DIRECTION, v.ACTION)
TEXT_SUFFIXES = (".txt", ".tsv")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(?:br\s*/?|/?p|/?b|/?div|/?li)\s*>", re.I)
_LABEL = re.compile(r"[(（]([^()（）]+)[)）]\s*$")


class PlanFileError(PlanError):
    """A 体系表 that cannot be read; the message is Japanese and names file, sheet and cell."""


@dataclass(frozen=True)
class Table:
    """One 体系表 found in a file: its title, header row index and every row as cell texts.

    `ragged` marks the seed's text form, whose rows lost the table's row spans and so may sit
    shifted left or right; its cells are read by their order, not their column.
    """

    file_name: str
    sheet: str | None
    title: str
    header_row: int
    rows: list[list[str]]
    ragged: bool

    def where(self, row: int, column: int) -> str:
        """Where a cell is, in the words a person uses to find it in the file."""
        if not self.sheet:
            return f"{self.file_name} {row + 1}行目 {column + 1}列目"
        return f"{self.file_name} シート「{self.sheet}」セル {spreadsheets.cell_reference(row, column)}"

    @property
    def label(self) -> str:
        """The draft's label: the title's closing parenthesis (「11月30日現在」), else the sheet or file name."""
        found = _LABEL.search(self.title)
        return found.group(1).strip() if found else (self.sheet or Path(self.file_name).stem)

    @property
    def plan_title(self) -> str:
        """The title without its label, e.g. 「川西市参画と協働のまちづくり推進計画体系表」."""
        return _LABEL.sub("", self.title).strip() or Path(self.file_name).stem


def normalise(text: str) -> str:
    """A header cell as compared with the level names: NFKC, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def level_of(header: str) -> str | None:
    """The level a header cell names, or None."""
    name = normalise(header)
    return next((kind for kind, names in LEVEL_ALIASES.items() if name in names), None)


def read_tables(file_name: str, content: bytes) -> list[Table]:
    """Every 体系表 in a file, in file order; a file with none is refused."""
    if Path(file_name).suffix.lower() in TEXT_SUFFIXES:
        text = _decode(file_name, content)
        rows = [[_cell_text(cell) for cell in line.split("\t")] for line in text.splitlines()]
        tables = _split_tables(file_name, None, rows, ragged=True)
    else:
        tables = [
            table
            for sheet in spreadsheets.read_plan_sheets(file_name, content)
            for table in _split_tables(file_name, sheet.name, sheet.rows, ragged=False)
        ]
    if not tables:
        raise PlanFileError(
            f"{file_name}: 体系表の見出し行（基本方針・基本施策・施策の方向・取組項目などの列名が並ぶ行）が"
            "見つかりません。表の上に列名の行を入れてください。"
        )
    return tables


def _decode(file_name: str, content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanFileError(f"{file_name}: 文字コードが読めません。UTF-8 か Shift_JIS で保存し直してください。")


def _cell_text(cell: str) -> str:
    """A seed cell's `<p>` paragraphs and `<b>` runs as lines of plain text."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", cell))).strip()


def _split_tables(file_name: str, sheet: str | None, rows: list[list[str]], ragged: bool) -> list[Table]:
    headers = [i for i, row in enumerate(rows) if _is_header(row)]
    tables = []
    for number, header in enumerate(headers):
        end = headers[number + 1] if number + 1 < len(headers) else len(rows)
        if number + 1 < len(headers):
            end = _title_row(rows, headers[number + 1], header) or end
        title_row = _title_row(rows, header, headers[number - 1] if number else -1)
        title = _first_text(rows[title_row]) if title_row is not None else ""
        tables.append(Table(file_name, sheet, title, header, rows[:end], ragged))
    return tables


def _is_header(row: list[str]) -> bool:
    levels = {level_of(str(cell)) for cell in row if str(cell).strip()}
    return v.POLICY in levels and len(levels - {None}) >= 2


def _title_row(rows: list[list[str]], header: int, floor: int) -> int | None:
    """The nearest non-empty row above a header (and below the previous one): the table's title."""
    return next((i for i in range(header - 1, floor, -1) if _first_text(rows[i])), None)


def _first_text(row: list[str]) -> str:
    return next((str(cell).strip() for cell in row if str(cell).strip()), "")
