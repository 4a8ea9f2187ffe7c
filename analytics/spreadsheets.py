"""The one place that reads and writes spreadsheet files (xlsx, xls, csv), and refuses unsafe ones."""

import csv
import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree import ElementTree

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetMetadata,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from analytics.files import write_file_atomically

_ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".csv")
MAX_FILE_BYTES = 20 * 1024 * 1024
# An xlsx is a zip; real survey workbooks unpack to about 10× their size. Far more is a zip bomb.
MAX_UNPACK_RATIO = 100
MAX_UNPACKED_BYTES = 300 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, and also an encrypted .xlsx
_CFB_LAST_SECTOR = 0xFFFFFFFA  # sector numbers at or above it mark free, end-of-chain or FAT sectors
_BIFF_BOF = (0x0809, 0x0409, 0x0209, 0x0009)
_BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_DIMENSIONS = 0x000A, 0x0085, 0x0200
# NUMBER, RK, LABELSST, LABEL, BLANK, BOOLERR, FORMULA, RSTRING: row and column first.
_BIFF_CELLS = (0x0203, 0x027E, 0x00FD, 0x0204, 0x0201, 0x0205, 0x0006, 0x00D6)
# MULRK, MULBLANK: a run of cells in one row, the last column in the record's last two bytes.
_BIFF_CELL_RUNS = (0x00BD, 0x00BE)
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ENCODINGS = ("utf-8-sig", "cp932")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")
_REFERENCE = re.compile(rb'\br="([A-Z]+\d+)"')
# A survey table has thousands of cells; a million (rows × columns from A1, or cells stored) is a
# stray cell or a runaway fill. The readers build the whole rectangle in memory, 32 bytes a cell,
# so one stray cell at XFD1048576 would ask for about 550 GB.
MAX_SHEET_CELLS = 1_000_000
_LAST_COLUMN = 16384  # XFD: a CSV line may be wider, but Excel shows (and we name) no column beyond it
_STREAM_CHUNK = 1024 * 1024
# How often (in rows read) a reader reports its progress.
PROGRESS_ROWS = 10_000
_SHEET_TAG = re.compile(rb"<(?:\w+:)?(c|row|dimension)\b([^>]*)>")
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]+)')
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="(?:\$?[A-Z]+\$?\d+:)?\$?([A-Z]+)\$?(\d+)"')
_R_ATTRIBUTE = re.compile(rb'\br="([A-Z]*)(\d*)"')
_REF_ATTRIBUTE = re.compile(rb'\bref="(?:[A-Z]*\d*:)?\$?([A-Z]*)\$?(\d*)"')


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet; the message is Japanese and names the file.

    `sheet` and `cell` say where, when the trouble is in one sheet (the message then omits them).
    """

    def __init__(self, message: str, sheet: str = "", cell: str = "") -> None:
        super().__init__(message)
        self.sheet = sheet
        self.cell = cell


@dataclass(frozen=True)
class Sheet:
    """One sheet's cell values as a grid anchored at A1 ("" for an empty cell); CSV has name "".

    Merged cells carry their top-left value in every cell they cover. `hidden` sheets and sheets
    that are not worksheets (charts) are listed so that a reader can say it skipped them;
    `uncached_formulas` names formula cells saved without a computed value (their grid cell is "").
    """

    name: str
    rows: list[list]
    hidden: bool = False
    worksheet: bool = True
    uncached_formulas: tuple[str, ...] = ()


def cell_reference(row: int, column: int) -> str:
    """Excel's name for a 0-based (row, column): (0, 0) → A1."""
    return f"{get_column_letter(column + 1)}{row + 1}"


def read_sheets(file_name: str, content: bytes, on_rows: Callable[[int], None] | None = None) -> list[Sheet]:
    """Every sheet of an xlsx/xls file, or the one table of a CSV (UTF-8 or Shift_JIS/CP932).

    Refuses, before reading any cell, a file that is too large, not what its name says, encrypted,
    macro-enabled, or that would unpack to far more than its size. Rows are read one at a time and
    `on_rows(n)` hears how many rows of the file have been read so far, so a person waiting on a
    large file sees it advance.
    """
    report = _RowCounter(on_rows)
    suffix = _check_file(file_name, content)
    if suffix == ".csv":
        rows = _read_csv(file_name, content, report)
        widest = max(map(len, rows), default=0)
        _check_extent(file_name, "", len(rows) if widest else 0, widest, sum(map(len, rows)))
        return [Sheet(name="", rows=rows)]
    uncached = _inspect_xlsx(file_name, content) if suffix == ".xlsx" else _check_xls_extents(file_name, content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [_read_sheet(workbook, meta, uncached.get(meta.name, ()), report) for meta in workbook.sheets_metadata]
    except PasswordError as error:
        raise SpreadsheetError(
            f"{file_name}: パスワードで保護されているため読めません。保護を解除して保存し直してください。"
        ) from error
    except (CalamineError, ValueError) as error:
        raise SpreadsheetError(
            f"{file_name}: Excel ファイルとして読めません（壊れているか、別の形式です）。"
            "Excel で開けることを確かめ、保存し直してください。"
        ) from error


def read_plan_sheets(file_name: str, content: bytes) -> list[Sheet]:
    """The visible worksheets of a 体系表 workbook as grids of text, merged cells filled.

    A plan table reads merged or repeated cells as "same as above", so every covered cell carries
    the merge's value; the same safety checks as for survey files apply.
    """
    return [
        Sheet(name=sheet.name, rows=[[_plan_text(cell) for cell in row] for row in sheet.rows])
        for sheet in read_sheets(file_name, content)
        if sheet.worksheet and not sheet.hidden
    ]


def _plan_text(cell: object) -> str:
    if cell is None or cell == "":
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


class _RowCounter:
    """Counts the rows read from one file, every sheet together, and tells `on_rows` now and then."""

    def __init__(self, on_rows: Callable[[int], None] | None) -> None:
        self.on_rows = on_rows
        self.rows = 0

    def collect(self, rows: Iterable[list], indent: int = 0) -> list[list]:
        """The rows as lists, `indent` blank cells added at the left of each (calamine starts them at
        the sheet's first used column). A text read once is shared by every cell that holds it: a
        column repeating an indicator code or a year then costs a pointer a cell, not a string."""
        shared: dict[str, str] = {}
        pad = [""] * indent
        grid = []
        for row in rows:
            grid.append([*pad, *(shared.setdefault(cell, cell) if type(cell) is str else cell for cell in row)])
            self.rows += 1
            if self.on_rows and self.rows % PROGRESS_ROWS == 0:
                self.on_rows(self.rows)
        if self.on_rows:
            self.on_rows(self.rows)
        return grid


def _read_sheet(
    workbook: CalamineWorkbook, meta: SheetMetadata, uncached: tuple[str, ...], report: _RowCounter
) -> Sheet:
    hidden = meta.visible != SheetVisibleEnum.Visible
    if meta.typ != SheetTypeEnum.WorkSheet:
        return Sheet(name=meta.name, rows=[], hidden=hidden, worksheet=False)
    sheet = workbook.get_sheet_by_name(meta.name)
    # iter_rows starts every row at the sheet's first used column; the grid is anchored at A1.
    rows = report.collect(sheet.iter_rows(), indent=sheet.start[1] if sheet.start else 0)
    for (first_row, first_column), (last_row, last_column) in sheet.merged_cell_ranges or ():
        if first_row >= len(rows):
            continue
        value = rows[first_row][first_column] if first_column < len(rows[first_row]) else ""
        for row in rows[first_row : last_row + 1]:
            for column in range(first_column, min(last_column + 1, len(row))):
                row[column] = value
    return Sheet(name=meta.name, rows=rows, hidden=hidden, uncached_formulas=uncached)


def _check_file(file_name: str, content: bytes) -> str:
    """The file's suffix once size, type and encryption are acceptable; otherwise a refusal that says what to do."""
    suffix = Path(file_name).suffix.lower()
    if len(content) > MAX_FILE_BYTES:
        raise SpreadsheetError(
            f"{file_name}: ファイルが大きすぎます（{len(content) / 1024 / 1024:.1f} MB、上限 "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB）。不要なシートを削除するか、ファイルを分けてください。"
        )
    if suffix in (".xlsm", ".xltm", ".xlsb"):
        raise SpreadsheetError(f"{file_name}: {_MACRO_REFUSAL}")
    if suffix not in _ACCEPTED_SUFFIXES:
        raise SpreadsheetError(f"{file_name}: 対応していない形式です。xlsx、xls、csv のいずれかで保存してください。")
    if content.startswith(_CFB) and _ENCRYPTED_PACKAGE in content:
        raise SpreadsheetError(
            f"{file_name}: パスワードで暗号化されているため読めません。"
            "Excel で開き、「ファイル」→「情報」→「ブックの保護」でパスワードを解除して保存し直してください。"
        )
    found = _sniff(content)
    expected = {".xlsx": "xlsx", ".xls": "xls", ".csv": "text"}[suffix]
    if found != expected:
        raise SpreadsheetError(
            f"{file_name}: ファイルの中身が拡張子（{suffix}）と一致しません（中身は{_KIND_NAMES[found]}です）。"
            "Excel で開いて「名前を付けて保存」から正しい形式で保存し直してください。"
        )
    return suffix


_MACRO_REFUSAL = (
    "マクロを含むブックは安全のため受け付けません。"
    "Excel で「名前を付けて保存」から「Excel ブック（*.xlsx）」を選んで保存し直してください。"
)
_KIND_NAMES = {
    "xlsx": " xlsx 形式の Excel ファイル",
    "xls": "古い形式（xls）の Excel ファイル",
    "zip": " Excel ではない ZIP ファイル（Word 文書など）",
    "html": " Web ページ（HTML）",
    "xml": " XML（Excel 2003 XML 形式など）",
    "text": " CSV などのテキスト",
    "binary": "表計算ファイルではないデータ",
}


def _sniff(content: bytes) -> str:
    if content.startswith(_ZIP):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return "binary"
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    if content.startswith(_CFB):
        return "xls"
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")) or b"<html" in head:
        return "html"
    if head.startswith(b"<?xml"):
        return "xml"
    # UTF-16 text has NULs but is still text; _read_csv says which encodings to use instead.
    is_utf16 = content.startswith((b"\xff\xfe", b"\xfe\xff"))
    return "binary" if b"\x00" in content[:4096] and not is_utf16 else "text"


def _inspect_xlsx(file_name: str, content: bytes) -> dict[str, tuple[str, ...]]:
    """Refuse macros and zip bombs; return, per sheet name, formula cells that have no saved value.

    Every member is read through zipfile, which stops at the declared size and checks the CRC, so a
    member that lies about its size is caught here and never reaches calamine.
    """
    archive = zipfile.ZipFile(io.BytesIO(content))
    members = archive.infolist()
    names = {member.filename.lower() for member in members}
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
    if any(name.endswith("vbaproject.bin") or "/macrosheets/" in name for name in names) or (
        b"macroEnabled" in content_types
    ):
        raise SpreadsheetError(f"{file_name}: {_MACRO_REFUSAL}")
    if any(member.flag_bits & 0x1 for member in members):
        raise SpreadsheetError(
            f"{file_name}: 暗号化された部分があるため読めません。保護を解除して保存し直してください。"
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > min(MAX_UNPACK_RATIO * len(content), MAX_UNPACKED_BYTES):
        raise SpreadsheetError(
            f"{file_name}: 展開すると {unpacked / 1024 / 1024:,.0f} MB になり、ファイルの大きさ"
            f"（{len(content) / 1024 / 1024:.1f} MB）に比べて異常に大きいため、安全のため読み込みません。"
            "Excel で開いて必要なシートだけを新しいブックにコピーし、保存し直してください。"
        )
    _check_xlsx_extents(file_name, archive)
    uncached: dict[str, list[str]] = {}
    try:
        for member in members:
            data = archive.read(member)
            if member.filename.startswith("xl/worksheets/") and _ANY_FORMULA.search(data):
                cells = _uncached_formulas(data)
                if cells:
                    uncached[member.filename] = cells
    except (zipfile.BadZipFile, OSError) as error:
        raise SpreadsheetError(
            f"{file_name}: Excel ファイルとして読めません（壊れているか、別の形式です）。"
            "Excel で開けることを確かめ、保存し直してください。"
        ) from error
    if not uncached:
        return {}
    paths = _sheet_paths(archive)
    return {name: tuple(uncached[path]) for name, path in paths.items() if path in uncached}


def _check_xlsx_extents(file_name: str, archive: zipfile.ZipFile) -> None:
    """Refuse a worksheet whose declared or actual used range, or number of cells, is absurd for a
    survey table, streaming its XML so that nothing the size of the range is ever built."""
    extents = {}
    try:
        for name, path in _sheet_paths(archive).items():
            if path in archive.namelist():
                with archive.open(path) as stream:
                    extents[name] = _measure_sheet_xml(stream)
    # ValueError: a column beyond ZZZ, which no spreadsheet program writes.
    except (KeyError, ValueError, ElementTree.ParseError, zipfile.BadZipFile, OSError) as error:
        raise SpreadsheetError(
            f"{file_name}: Excel ファイルとして読めません（壊れているか、別の形式です）。"
            "Excel で開けることを確かめ、保存し直してください。"
        ) from error
    for name, extent in extents.items():
        _check_extent(file_name, name, *extent)


def _measure_sheet_xml(stream) -> tuple[int, int, int]:
    """(rows, columns, cells) of one worksheet part: the larger of its declared <dimension> and the
    far corner of the cells it holds, and how many <c> it holds (reading stops past the limit)."""
    first = stream.read(_STREAM_CHUNK)
    if b"<worksheet" not in first:
        return _measure_by_position(stream, first)
    # Excel, LibreOffice and openpyxl write `<c r="B2"`: counted with C-speed searches, no per-cell Python.
    rows = columns = cells = 0
    dimension = _DIMENSION.search(first)
    if dimension:
        rows, columns = int(dimension.group(2)), column_index_from_string(dimension.group(1).decode())
    pending, chunk = b"", first
    while chunk:
        buffer = pending + chunk
        end = buffer.rfind(b">") + 1
        buffer, pending = buffer[:end], buffer[end:]
        found = buffer.count(b"<c ") + buffer.count(b"<c>") + buffer.count(b"<c/>")
        references = _CELL_COLUMN.findall(buffer)
        numbers = _ROW_NUMBER.findall(buffer)
        if found != len(references) or buffer.count(b"<row ") + buffer.count(b"<row>") != len(numbers):
            return _measure_by_position(stream, buffer + pending, rows, columns, cells)
        cells += found
        columns = max([columns, *(column_index_from_string(text.decode()) for text in set(references))])
        rows = max([rows, *(int(number) for number in numbers)])
        if cells > MAX_SHEET_CELLS or rows * columns > MAX_SHEET_CELLS:
            break
        chunk = stream.read(_STREAM_CHUNK)
    return rows, columns, cells


def _measure_by_position(stream, start: bytes, rows: int = 0, columns: int = 0, cells: int = 0) -> tuple[int, int, int]:
    """_measure_sheet_xml, from `start` on, for cells that may lack references or carry a namespace
    prefix: each is placed after the previous one, as Excel does."""
    row = column = 0
    pending, chunk = b"", start
    while chunk:
        buffer = pending + chunk
        end = buffer.rfind(b">") + 1
        buffer, pending = buffer[:end], buffer[end:]
        for tag, attributes in _SHEET_TAG.findall(buffer):
            letters, digits = _cell_position(_REF_ATTRIBUTE if tag == b"dimension" else _R_ATTRIBUTE, attributes)
            if tag == b"dimension":
                if letters and digits:
                    rows, columns = max(rows, int(digits)), max(columns, column_index_from_string(letters))
                continue
            if tag == b"c":
                cells += 1
                column = column_index_from_string(letters) if letters else column + 1
                row = int(digits) if digits else row
            else:
                row, column = (int(digits) if digits else row + 1), 0
            rows, columns = max(rows, row), max(columns, column)
        if cells > MAX_SHEET_CELLS or rows * columns > MAX_SHEET_CELLS:
            break
        chunk = stream.read(_STREAM_CHUNK)
    return rows, columns, cells


def _cell_position(pattern: re.Pattern, attributes: bytes) -> tuple[str, str]:
    found = pattern.search(attributes)
    return (found.group(1).decode(), found.group(2).decode()) if found else ("", "")


def _check_extent(file_name: str, sheet: str, rows: int, columns: int, cells: int) -> None:
    """Refuse a sheet of `rows` × `columns` (1-based far corner) or `cells` too many to read whole."""
    far = f"{get_column_letter(min(columns, _LAST_COLUMN))}{rows}" if rows and columns else ""
    if rows * columns > MAX_SHEET_CELLS:
        raise SpreadsheetError(
            f"{file_name}: 使用範囲が {far} まで（{rows:,} 行 × {columns:,} 列）広がっていて調査結果の表としては"
            f"大きすぎるため読み込まず、表の外にある不要なセル（{far} など）を削除し、表より下の行と右の列を"
            "すべて選んで削除してから保存し直してください。",
            sheet=sheet,
            cell=far,
        )
    if cells > MAX_SHEET_CELLS:
        raise SpreadsheetError(
            f"{file_name}: セルが {MAX_SHEET_CELLS:,} 個を超えていて調査結果の表としては多すぎるため読み込まず、"
            "調査結果の表だけを新しいブックにコピーするか、ファイルを分けて保存し直してください。",
            sheet=sheet,
        )


def _check_xls_extents(file_name: str, content: bytes) -> dict[str, tuple[str, ...]]:
    """Refuse an xls worksheet whose used range or cell count is absurd, from its BIFF records
    (calamine exposes nothing before it builds the whole range); an xls keeps no uncached formulas."""
    try:
        stream = _read_cfb_stream(content, ("Workbook", "Book"))
        for name, offset in _xls_worksheets(stream):
            _check_extent(file_name, name, *_measure_xls_sheet(stream, offset))
    except (struct.error, IndexError, KeyError, UnicodeDecodeError) as error:
        raise SpreadsheetError(
            f"{file_name}: Excel ファイルとして読めません（壊れているか、別の形式です）。"
            "Excel で開けることを確かめ、保存し直してください。"
        ) from error
    return {}


def _read_cfb_stream(content: bytes, names: tuple[str, ...]) -> bytes:
    """The first stream called one of `names` in an OLE compound file (the container of an .xls)."""
    sector_shift, mini_shift = struct.unpack_from("<HH", content, 30)
    fat_count, directory_start = struct.unpack_from("<II", content, 44)
    mini_cutoff, mini_fat_start, _, difat_start, difat_count = struct.unpack_from("<IIIII", content, 56)
    size = 1 << sector_shift
    fat_sectors = [index for index in struct.unpack_from("<109I", content, 76) if index < _CFB_LAST_SECTOR]
    for _ in range(difat_count):
        entries = _cfb_numbers(_cfb_sector(content, size, difat_start))
        fat_sectors += [index for index in entries[:-1] if index < _CFB_LAST_SECTOR]
        difat_start = entries[-1]
    fat = [entry for index in fat_sectors[:fat_count] for entry in _cfb_numbers(_cfb_sector(content, size, index))]
    directory = _cfb_chain(content, size, fat, directory_start)
    for offset in range(0, len(directory), 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 64)[0]
        if entry[66] != 2 or entry[: max(length - 2, 0)].decode("utf-16-le") not in names:
            continue
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if stream_size >= mini_cutoff:
            return _cfb_chain(content, size, fat, start)[:stream_size]
        # Small streams live in 64-byte pieces of the mini stream, which the root entry (the first) holds.
        mini_stream = _cfb_chain(content, size, fat, struct.unpack_from("<I", directory, 116)[0])
        mini_fat = _cfb_numbers(_cfb_chain(content, size, fat, mini_fat_start))
        return _cfb_chain(mini_stream, 1 << mini_shift, mini_fat, start, header=0)[:stream_size]
    raise KeyError("Workbook")


def _cfb_numbers(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))


def _cfb_sector(content: bytes, size: int, index: int, header: int = 1) -> bytes:
    # Sector n of a compound file starts after the one-sector header; mini sectors have none.
    return content[(index + header) * size : (index + header + 1) * size]


def _cfb_chain(content: bytes, size: int, table: list[int], start: int, header: int = 1) -> bytes:
    """The sectors of one chain, joined; a chain that loops is cut after as many sectors as exist."""
    parts = []
    while start < _CFB_LAST_SECTOR and len(parts) <= len(table):
        parts.append(_cfb_sector(content, size, start, header))
        start = table[start]
    return b"".join(parts)


def _xls_worksheets(stream: bytes) -> list[tuple[str, int]]:
    """(name, offset of its BOF record) of every worksheet listed in the workbook globals."""
    sheets, position = [], 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        position += 4 + length
        if kind == _BIFF_EOF:
            break
        if kind == _BIFF_BOUNDSHEET and body[5] == 0:
            characters, wide = body[6], body[7] & 1 if len(body) > 7 else 0
            text = (
                body[8 : 8 + characters * 2].decode("utf-16-le") if wide else body[8 : 8 + characters].decode("latin-1")
            )
            sheets.append((text, struct.unpack_from("<I", body)[0]))
    return sheets


def _measure_xls_sheet(stream: bytes, position: int) -> tuple[int, int, int]:
    """(rows, columns, cells) of one xls worksheet: its DIMENSIONS record and the far corner of its cell records."""
    rows = columns = cells = depth = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        start, position = position + 4, position + 4 + length
        if kind in _BIFF_BOF:
            depth += 1
        elif kind == _BIFF_EOF:
            depth -= 1
            if depth == 0:
                break
        elif kind == _BIFF_DIMENSIONS:
            last_row, last_column = struct.unpack_from("<xxxxIxxH" if length >= 14 else "<xxHxxH", stream, start)
            rows, columns = max(rows, last_row), max(columns, last_column)
        elif kind in _BIFF_CELLS or kind in _BIFF_CELL_RUNS:
            row, first = struct.unpack_from("<HH", stream, start)
            last = struct.unpack_from("<H", stream, position - 2)[0] if kind in _BIFF_CELL_RUNS else first
            cells += last - first + 1
            rows, columns = max(rows, row + 1), max(columns, last + 1)
            if cells > MAX_SHEET_CELLS:
                break
    return rows, columns, cells


def _uncached_formulas(sheet_xml: bytes) -> list[str]:
    """References of formula cells whose saved value is missing (an empty string result counts as saved)."""
    missing = []
    for attributes, body in _CELL.findall(sheet_xml):
        if not body or not _ANY_FORMULA.search(body):
            continue
        if _CACHED_VALUE.search(body) or (b't="str"' in attributes and b"<v" in body):
            continue
        reference = _REFERENCE.search(attributes)
        missing.append(reference.group(1).decode() if reference else "")
    return missing


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its worksheet part inside the zip, from workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in relationships.iter(f"{_PACKAGE_RELATIONSHIP}Relationship")
    }
    paths = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_RELATIONSHIP), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
    return paths


def _read_csv(file_name: str, content: bytes, report: _RowCounter) -> list[list]:
    # UTF-16 and binary files often decode as CP932 by accident; real UTF-8/CP932 text has no NUL.
    for encoding in _ENCODINGS if b"\x00" not in content else ():
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return report.collect(csv.reader(io.StringIO(text, newline="")))
    raise SpreadsheetError(
        f"{file_name}: 文字コードを判別できません。CSV は UTF-8 または Shift_JIS（CP932）で保存してください。"
    )


def read_percent_cells(
    file_name: str, content: bytes, sheet_name: str, cells: list[tuple[int, int]]
) -> set[tuple[int, int]] | None:
    """Which of the given 0-based cells of one xlsx sheet are percent-formatted (0.452 shown as 45.2%).

    None when the file keeps no formats we can read (xls, csv). Opens the sheet with openpyxl,
    which is slow, so callers ask only for sheets whose values look like fractions.
    """
    if Path(file_name).suffix.lower() != ".xlsx" or not cells:
        return None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        # calamine read the file but openpyxl cannot: the formats stay unknown and the caller
        # reports the fractions as ambiguous, which is safe.
        return None
    try:
        rows = [row for row, _ in cells]
        columns = [column for _, column in cells]
        wanted = set(cells)
        found = set()
        grid = workbook[sheet_name].iter_rows(
            min_row=min(rows) + 1, max_row=max(rows) + 1, min_col=min(columns) + 1, max_col=max(columns) + 1
        )
        for row_offset, row in enumerate(grid):
            for column_offset, cell in enumerate(row):
                position = (min(rows) + row_offset, min(columns) + column_offset)
                if position in wanted and _is_percent_format(getattr(cell, "number_format", "General")):
                    found.add(position)
        return found
    finally:
        workbook.close()


def _is_percent_format(code: str) -> bool:
    # A quoted or escaped "%" is a literal sign: the cell shows the value as it is, unscaled.
    return "%" in re.sub(r'"[^"]*"|\\.', "", code or "")


# OWASP's CSV-injection list: text starting with these may run as a formula in a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def keep_text_as_text(workbook: Workbook) -> None:
    """Store every cell that openpyxl took for a formula (any text starting with "=") as the text it
    is: a 所見 such as =HYPERLINK(...) must reach the reader as words, never run as a formula. The
    other OWASP starts (+ - @ tab CR) are already stored as text in xlsx; numbers are untouched."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def save_workbook(workbook: Workbook) -> bytes:
    """The xlsx bytes of a workbook built by the app, every text kept as text (see keep_text_as_text)."""
    keep_text_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def protect_csv_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy for CSV output in which text that a spreadsheet would run as a formula starts with a
    single quote, as OWASP advises; numbers stay numbers."""
    return frame.apply(
        lambda column: (
            column.map(
                lambda value: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value
            )
            if column.dtype == object or pd.api.types.is_string_dtype(column)
            else column
        )
    )


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write frames as plain sheets, one per name, headers in row 1, replacing `path` in one step."""

    def write(stream: BinaryIO) -> None:
        with pd.ExcelWriter(stream, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name, index=False)
            keep_text_as_text(writer.book)

    write_file_atomically(path, write)


_TEMPLATE_HEADER = ["年度", "指標", "値", "回答者数", "区分", "区分値", "備考"]
_TEMPLATE_ROWS = 2000
_TEMPLATE_INSTRUCTIONS = [
    "調査結果の取込用テンプレート（縦長形式：1行に1つの値）",
    "",
    "1. 「調査結果」シートの2行目から、1行に1つの値を入力してください。見出し行（1行目）は変えないでください。",
    "2. 年度：一覧から選ぶか、「2025」「令和7年度」「R7」のように入力します。",
    "3. 指標：一覧から指標コード（例「1-①」）を選びます。指標名は「指標一覧」シートにあります。",
    "4. 値：割合は％の数値をそのまま入力します（45.2% なら 45.2）。件数の指標（団体数など）は件数です。",
    "5. 回答者数：その割合の基になった回答者数（n）。誤差の計算に使います。分からなければ空欄にします。",
    "6. 区分・区分値：全体の値なら両方とも空欄。年代別なら「年代」「20代」、地域別なら「地域」「けやき坂」のように入力します。",
    "7. 備考：自由記入（取り込まれますが、計算には使いません）。",
    "",
    "入力後、このファイルを保存してダッシュボードの「データ取込」ページからアップロードしてください。",
    "取り込む前に、新規・変更・変更なし・エラーの一覧を確認できます。誤りがあれば、ファイル名・シート・セルと直し方が表示されます。",
    "取り込んだ後でも、「取込の履歴」から取り消すことができます。",
    "",
    "このシートと「指標一覧」「選択肢」シートは読み込まれません（そのまま残してかまいません）。",
]


def write_template(indicators: pd.DataFrame, fiscal_years: list[str]) -> bytes:
    """An xlsx to fill in Excel: instructions, an empty long-layout sheet with drop-down lists for
    年度 and 指標, and the plan's indicators (code, name, unit, who answers) to choose from."""
    workbook = Workbook()
    guide = workbook.active
    guide.title = "記入方法"
    for line in _TEMPLATE_INSTRUCTIONS:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120

    listing = workbook.create_sheet("指標一覧")
    listing.append(["指標コード", "指標名", "単位", "調査対象"])
    for row in indicators[["code", "name", "unit", "respondent"]].itertuples(index=False):
        listing.append(list(row))
    for column, width in zip("ABCD", (12, 80, 8, 12), strict=True):
        listing.column_dimensions[column].width = width

    choices = workbook.create_sheet("選択肢")
    choices.append(["年度の選択肢"])
    for year in fiscal_years:
        choices.append([year])
    choices.sheet_state = "hidden"

    data = workbook.create_sheet("調査結果", 1)
    data.append(_TEMPLATE_HEADER)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in data[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
    for column, width in zip("ABCDEFG", (18, 10, 10, 10, 10, 14, 30), strict=True):
        data.column_dimensions[column].width = width
    data.freeze_panes = "A2"
    last = _TEMPLATE_ROWS + 1
    year_list = DataValidation(
        type="list",
        formula1=f"'選択肢'!$A$2:$A${len(fiscal_years) + 1}",
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="年度",
        error="一覧にない年度です。「2025」「令和7年度」のように入力してください。",
        sqref=f"A2:A{last}",
    )
    indicator_list = DataValidation(
        type="list",
        formula1=f"'指標一覧'!$A$2:$A${len(indicators) + 1}",
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="指標",
        error="計画にない指標です。一覧から指標コードを選んでください。",
        sqref=f"B2:B{last}",
    )
    for validation in (year_list, indicator_list):
        data.add_data_validation(validation)
    guide.sheet_view.tabSelected = False
    workbook.active = data
    return save_workbook(workbook)
