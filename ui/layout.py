"""Page furniture every page shares: document language and style, charts with their numbers, phone-ready tables."""

import html
import json
import math
from datetime import datetime
from functools import cache, partial
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit import file_util

from analytics.chart_data import export_csv, export_xlsx, name_download
from analytics.charts import chart_config

_ASSETS = Path(__file__).parent / "assets"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_ROWS = 50
# English that Streamlit itself draws (texts, button titles, labels read aloud) and its Japanese.
_STREAMLIT_WORDS = {
    "Browse files": "ファイルを選ぶ",
    "Upload": "ファイルを選ぶ",
    "Drag and drop files here": "ここにファイルをドラッグ＆ドロップ",
    "Drag and drop file here": "ここにファイルをドラッグ＆ドロップ",
    "Remove file": "ファイルを外す",
    "Delete": "削除",
    "Fullscreen": "全画面表示",
    "Close fullscreen": "全画面表示を閉じる",
    "Exit fullscreen": "全画面表示を閉じる",
    "Show password text": "入力した文字を表示",
    "Hide password text": "入力した文字を隠す",
    "Choose an option": "選んでください",
    "No results": "該当なし",
    "Clear all": "すべて解除",
    "Clear value": "選択を解除",
    "Open": "開く",
    "Close": "閉じる",
    "Collapse sidebar": "サイドバーを閉じる",
    "Expand sidebar": "サイドバーを開く",
    "Close sidebar": "サイドバーを閉じる",
    "Open sidebar": "サイドバーを開く",
    "Running...": "処理中…",
    "Stop": "停止",
    "Press Enter to apply": "Enter で確定",
    "Press Enter to submit form": "Enter で送信",
    "View less": "少なく表示",
    "View more": "もっと見る",
    "Copy to clipboard": "クリップボードにコピー",
    "Made with Streamlit": "",
    "Skip to main content": "本文へ移動",
    "Sidebar": "サイドバー",
    "App pages": "ページ一覧",
    "Main menu": "メニュー",
    "Link to heading": "この見出しへのリンク",
    "Show password": "入力した文字を表示",
    "Hide password": "入力した文字を隠す",
    "file upload": "ファイルを選ぶ",
}


@cache
def _document_head(charts: bool) -> str:
    script = (_ASSETS / "dashboard.js").read_text(encoding="utf-8")
    script = script.replace("__WORDS__", json.dumps(_STREAMLIT_WORDS, ensure_ascii=False))
    modules = [find_chart_module()] if charts else []
    script = script.replace("__MODULES__", json.dumps([module for module in modules if module]))
    return f"<style>{(_ASSETS / 'dashboard.css').read_text(encoding='utf-8')}</style><script>{script}</script>"


@cache
def find_chart_module() -> str | None:
    """The file name of Streamlit's own chart code (plotly.js, 4.7 MB), as its page imports it when
    it draws the first chart; None when a Streamlit upgrade has renamed it (nothing is then loaded early)."""
    found = list((Path(file_util.get_static_dir()) / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


def prepare_document(*, charts: bool = False) -> None:
    """Japanese document language, no English Streamlit menus, phone-width cards, presentation keys;
    on a page with `charts`, the chart code loads while the server is still running the page."""
    st.html(_document_head(charts), unsafe_allow_javascript=True)


def show_table(table: pd.DataFrame, key: str) -> None:
    """A table on a wide screen that becomes one card per row on a phone, so nothing scrolls sideways.

    It is one st.html element (a plain HTML table that ui/assets/dashboard.css stacks below 640 px),
    not Streamlit's table widget: the browser lays it out without React drawing every cell on a
    rerun. A long table is still shown a page of PAGE_ROWS rows at a time.
    """
    shown = table.iloc[choose_page(len(table), key)]
    st.html(_render_table(shown, key))


def choose_page(rows: int, key: str, *, per_page: int = PAGE_ROWS, unit: str = "行") -> slice:
    """The rows of the page chosen for a table of `rows` rows (all of a short one), with the page
    chooser and which rows (or charts: `unit`) are shown: a rerun then sends one page, not all."""
    if rows <= per_page:
        return slice(None)
    pages = -(-rows // per_page)
    page = st.number_input(f"ページ（全{pages:,}ページ）", min_value=1, max_value=pages, step=1, key=f"page-{key}")
    start = (page - 1) * per_page
    st.caption(f"全{rows:,}{unit}のうち {start + 1:,}〜{min(start + per_page, rows):,}{unit}目")
    return slice(start, start + per_page)


def show_chart(figure: go.Figure, table: pd.DataFrame, *, subject: str, year: int, key: str, alt: str) -> None:
    """A chart with a text alternative, and its numbers as a table and as CSV and xlsx downloads.

    `subject` names the files (the indicator code, or what the chart shows) together with `year`.
    """
    st.plotly_chart(figure, config=chart_config(name_download(subject, year, "png")[:-4]), key=key, alt=alt)
    # The numbers are built and sent only once the expander is opened: a page of charts would
    # otherwise send (and the browser lay out) every chart's table and files on every rerun.
    numbers = st.expander("グラフの数値（表とダウンロード）", key=f"{key}-numbers-open", on_change="rerun")
    if not numbers.open:
        return
    with numbers:
        show_table(_format_numbers(table), key=f"{key}-numbers")
        csv, xlsx = st.columns(2)
        csv.download_button(
            "CSV でダウンロード",
            data=export_csv(table),
            file_name=name_download(subject, year, "csv"),
            mime="text/csv",
            icon=":material/download:",
            key=f"{key}-csv",
            on_click="ignore",
        )
        xlsx.download_button(
            "Excel でダウンロード",
            data=partial(export_xlsx, table, subject),  # built only when clicked
            file_name=name_download(subject, year, "xlsx"),
            mime=_XLSX,
            icon=":material/download:",
            key=f"{key}-xlsx",
            on_click="ignore",
        )


def _format_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Numbers as a person reads them: one decimal for values, thousands separators for counts, — for none."""

    def text(value: object) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            return "—"
        if isinstance(value, float):
            return f"{value:,.1f}"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    return table.astype(object).map(text)


def _render_table(table: pd.DataFrame, key: str) -> str:
    """`table` without its index as an HTML table whose every cell carries its column's name
    (`data-label`), which a phone shows beside the value; numeric columns align right."""
    labels = [html.escape(str(column)) for column in table.columns]
    openings = [
        f'<td data-label="{label}" class="num">' if _is_number(dtype) else f'<td data-label="{label}">'
        for label, dtype in zip(labels, table.dtypes, strict=True)
    ]
    rows = "".join(
        "<tr>"
        + "".join(
            f"{opening}{html.escape(_cell_text(value))}</td>" for opening, value in zip(openings, row, strict=True)
        )
        + "</tr>"
        for row in table.itertuples(index=False, name=None)
    )
    if not rows:
        rows = f'<tr class="empty"><td colspan="{max(len(labels), 1)}">該当なし</td></tr>'
    head = "".join(f'<th scope="col">{label}</th>' for label in labels)
    return (
        f'<table class="page-table table-{html.escape(key)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _is_number(dtype: object) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _cell_text(value: object) -> str:
    """A value as Streamlit's table showed it: blank when missing, a time to the second."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)
