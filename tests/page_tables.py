"""The tables a page shows (ui.layout.show_table's HTML tables), read back as the user reads them."""

from html.parser import HTMLParser

import pandas as pd
from streamlit.testing.v1 import AppTest

TABLE_CLASS = "page-table"


class _TableReader(HTMLParser):
    """Header texts and rows of cell texts (every value a string) of the tables in one HTML body;
    the row that says an empty table has no rows is left out."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_table = False
        self._empty_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and TABLE_CLASS in classes:
            self._in_table = True
            self.tables.append(([], []))
        elif self._in_table and tag == "tr":
            self._row, self._empty_row = [], "empty" in classes
        elif self._in_table and tag in ("th", "td"):
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._in_table:
            return
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            header, rows = self.tables[-1]
            if not header:
                header.extend(self._row)
            elif not self._empty_row:
                rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._in_table = False


def read_tables(body: str) -> list[pd.DataFrame]:
    """Every page table in an HTML body, as a DataFrame of the strings shown."""
    reader = _TableReader()
    reader.feed(body)
    reader.close()
    return [pd.DataFrame(rows, columns=header, dtype=object) for header, rows in reader.tables]


def page_tables(app: AppTest) -> list[pd.DataFrame]:
    """The tables the page shows with show_table, in page order, each cell the text a user sees."""
    return [table for element in app.html for table in read_tables(element.value)]
