"""The numbers behind every chart, as tables a person can read and download (CSV with BOM, xlsx)."""

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from analytics import vocabulary as v
from analytics.presentation import format_value, status_badge

# Excel, LibreOffice and Google Sheets run a cell typed as text that starts with one of these.
_FORMULA_START = ("=", "+", "-", "@")
_UNSAFE_FILE_CHARACTERS = re.compile(r'[\\/:*?"<>|\s]+')


def tabulate_trend(history: pd.DataFrame, indicator: pd.Series) -> pd.DataFrame:
    """The trend chart's numbers, one row per year: value, n, 95% interval, the planned path, baseline, target."""
    return pd.DataFrame(
        {
            "年度": [v.format_fiscal_year(int(year)) for year in history["fiscal_year"]],
            "実績値": history["value"].round(1).to_numpy(),
            "単位": indicator["unit"],
            "回答者数": history["respondents"].astype("Int64").array,
            "95%信頼区間 下限": history["interval_low"].round(1).to_numpy(),
            "95%信頼区間 上限": history["interval_high"].round(1).to_numpy(),
            "目標達成ペース": history["expected"].round(1).to_numpy(),
            "基準値": float(indicator["baseline_value"]),
            "目標値": float(indicator["target_value"]),
            "状況": [
                "基準年度" if year == indicator["baseline_year"] else status_badge(status)
                for year, status in zip(history["fiscal_year"], history["status"], strict=True)
            ],
        }
    )


def trace_target_path(indicator: pd.Series) -> tuple[list[int], list[float]]:
    """The path the trend chart draws: baseline, the plan's 年次目標 where it sets them, target.

    Straight lines between these points are the expected values the evaluation grades against.
    """
    interim = indicator.get("yearly_targets") or ()
    years = [int(indicator["baseline_year"]), *(year for year, _ in interim), int(indicator["target_year"])]
    values = [float(indicator["baseline_value"]), *(value for _, value in interim), float(indicator["target_value"])]
    return years, values


def tabulate_breakdown(cells: pd.DataFrame, indicator: pd.Series) -> pd.DataFrame:
    """The breakdown chart's numbers, one row per group: value, n, 95% interval, status."""
    return pd.DataFrame(
        {
            "区分": cells["dimension"].to_numpy(),
            "区分値": cells["category"].to_numpy(),
            "年度": [v.format_fiscal_year(int(year)) for year in cells["year"]],
            "値": cells["value"].round(1).to_numpy(),
            "単位": indicator["unit"],
            "回答者数": cells["respondents"].astype("Int64").array,
            "95%信頼区間 下限": cells["interval_low"].round(1).to_numpy(),
            "95%信頼区間 上限": cells["interval_high"].round(1).to_numpy(),
            "状況": cells["status"].map(status_badge).to_numpy(),
        }
    )


def tabulate_status_counts(summary: pd.DataFrame, policy_labels: dict[str, str]) -> pd.DataFrame:
    """The status bar chart's numbers: per 基本方針 and for the whole plan, how many indicators in each status."""
    rows = summary[summary["dimension"] == v.OVERALL]
    table = pd.DataFrame({"範囲": [policy_labels.get(code, "計画全体") for code in rows["policy_code"]]})
    for status in v.STATUSES:
        table[status_badge(status)] = rows[status].astype(int).to_numpy()
    table["合計"] = rows["total"].astype(int).to_numpy()
    return table


def name_download(subject: str, year: int, extension: str) -> str:
    """「1-①_令和6(2024)年度.csv」: the indicator (or chart) and the year, safe as a file name on every system."""
    stem = _UNSAFE_FILE_CHARACTERS.sub("_", f"{subject}_{v.format_fiscal_year(year)}")
    return f"{stem}.{extension}"


def export_csv(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Japanese text correctly; text never a formula."""
    return _defuse_text(table).to_csv(index=False).encode("utf-8-sig")


def export_xlsx(table: pd.DataFrame, sheet_name: str) -> bytes:
    """One sheet with the table; text cells are stored as text, so none can become a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:31]
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append([None if pd.isna(value) else _plain(value) for value in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store 「=…」 as a formula
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(str(column)) + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value: object) -> object:
    """numpy and pandas scalars as the Python values openpyxl writes."""
    return value.item() if hasattr(value, "item") else value


def _defuse_text(table: pd.DataFrame) -> pd.DataFrame:
    """Text starting with = + - @ gets a leading apostrophe, which spreadsheets show as plain text."""
    return table.apply(
        lambda column: (
            column.map(lambda x: f"'{x}" if isinstance(x, str) and x.startswith(_FORMULA_START) else x)
            if column.dtype == object or pd.api.types.is_string_dtype(column)
            else column
        )
    )


def describe_trend(history: pd.DataFrame, indicator: pd.Series) -> str:
    """The trend chart in one sentence, for a screen reader: latest value, baseline, target, status."""
    unit = indicator["unit"]
    latest = (
        f"{v.format_fiscal_year(int(history['fiscal_year'].iloc[-1]))}は{format_value(history['value'].iloc[-1], unit)}"
        if len(history)
        else "値はまだありません"
    )
    return (
        f"{indicator['code']}の推移グラフ。{latest}、基準値{format_value(indicator['baseline_value'], unit)}"
        f"（{v.format_fiscal_year(int(indicator['baseline_year']))}）、目標値{format_value(indicator['target_value'], unit)}"
        f"（{v.format_fiscal_year(int(indicator['target_year']))}）、状況は{status_badge(indicator['status'])}。"
        "数値はグラフの下の表にあります。"
    )


def describe_status_counts(table: pd.DataFrame) -> str:
    """The status bar chart in one sentence per bar, for a screen reader."""
    statuses = [column for column in table.columns if column not in ("範囲", "合計")]
    bars = "。".join(
        f"{row['範囲']}: " + "、".join(f"{status} {row[status]}" for status in statuses if row[status])
        for _, row in table.iterrows()
    )
    return f"状況別の指標数の棒グラフ。{bars}。"
