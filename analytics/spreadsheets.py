"""The one place that reads and writes spreadsheet files (xlsx, xls, csv)."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

_SIGNATURES = {".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}
_ENCODINGS = ("utf-8-sig", "cp932")


class SpreadsheetError(ValueError):
    """A file that cannot be read as a spreadsheet; the message is Japanese and names the file."""


@dataclass(frozen=True)
class Sheet:
    """One sheet's cell values as a grid anchored at A1 ("" for an empty cell); CSV has name ""."""

    name: str
    rows: list[list]


def cell_reference(row: int, column: int) -> str:
    """Excel's name for a 0-based (row, column): (0, 0) → A1."""
    return f"{get_column_letter(column + 1)}{row + 1}"


def read_sheets(file_name: str, content: bytes) -> list[Sheet]:
    """Every worksheet of an xlsx/xls file, or the one table of a CSV (UTF-8 or Shift_JIS/CP932)."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv":
        return [Sheet(name="", rows=_read_csv(file_name, content))]
    if suffix not in _SIGNATURES:
        raise SpreadsheetError(f"{file_name}: 対応していない形式です。xlsx、xls、csv のいずれかで保存してください。")
    if not content.startswith(_SIGNATURES[suffix]):
        raise SpreadsheetError(
            f"{file_name}: ファイルの中身が拡張子（{suffix}）と一致しません。"
            "Excel で開いて「名前を付けて保存」から正しい形式で保存し直してください。"
        )
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [
            Sheet(name=name, rows=workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in workbook.sheet_names
        ]
    except PasswordError as error:
        raise SpreadsheetError(
            f"{file_name}: パスワードで保護されているため読めません。保護を解除して保存し直してください。"
        ) from error
    except (CalamineError, ValueError) as error:
        raise SpreadsheetError(
            f"{file_name}: Excel ファイルとして読めません（壊れているか、別の形式です）。"
            "Excel で開けることを確かめ、保存し直してください。"
        ) from error


def _read_csv(file_name: str, content: bytes) -> list[list]:
    # UTF-16 and binary files often decode as CP932 by accident; real UTF-8/CP932 text has no NUL.
    for encoding in _ENCODINGS if b"\x00" not in content else ():
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline="")))
    raise SpreadsheetError(
        f"{file_name}: 文字コードを判別できません。CSV は UTF-8 または Shift_JIS（CP932）で保存してください。"
    )


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write frames as plain sheets, one per name, headers in row 1."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
