import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics import vocabulary as v
from analytics.chart_data import (
    describe_status_counts,
    export_csv,
    export_xlsx,
    name_download,
    tabulate_status_counts,
    tabulate_trend,
)

TABLE = pd.DataFrame({"区分値": ["=1+1", "+81 90", "-A", "@SUM(A1)", "20代"], "値": [1.5, 2.0, None, 4.0, 5.0]})


def test_csv_starts_with_a_bom_and_no_text_can_run_as_a_formula() -> None:
    content = export_csv(TABLE)
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines() == [
        "区分値,値",
        "'=1+1,1.5",
        "'+81 90,2.0",
        "'-A,",
        "'@SUM(A1),4.0",
        "20代,5.0",
    ]


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers() -> None:
    sheet = load_workbook(io.BytesIO(export_xlsx(TABLE, "1-①"))).active
    assert sheet.title == "1-①"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["区分値", "値"],
        ["=1+1", 1.5],
        ["+81 90", 2.0],
        ["-A", None],
        ["@SUM(A1)", 4.0],
        ["20代", 5.0],
    ]
    assert {sheet.cell(row, 1).data_type for row in range(2, 7)} == {"s"}


@pytest.mark.parametrize(
    ("subject", "year", "extension", "expected"),
    [
        ("1-①", 2024, "csv", "1-①_令和6(2024)年度.csv"),
        ("1-①_年代別", 2019, "xlsx", "1-①_年代別_令和元(2019)年度.xlsx"),
        ("状況別 の/指標数", 2015, "csv", "状況別_の_指標数_平成27(2015)年度.csv"),
    ],
)
def test_download_is_named_after_subject_and_year(subject: str, year: int, extension: str, expected: str) -> None:
    assert name_download(subject, year, extension) == expected


def test_trend_table_has_every_year_with_value_interval_path_baseline_and_target() -> None:
    history = pd.DataFrame(
        {
            "fiscal_year": [2015, 2024],
            "value": [42.0, 53.44],
            "respondents": pd.array([1225, None], dtype="Int64"),
            "interval_low": [39.26, 50.57],
            "interval_high": [44.8, 56.3],
            "expected": [42.0, 53.7],
            "status": [v.NO_DATA, v.ON_TRACK],
        }
    )
    indicator = pd.Series(
        {"unit": "%", "baseline_year": 2015, "baseline_value": 42.0, "target_value": 55.0, "code": "1-①"}
    )
    expected = pd.DataFrame(
        {
            "年度": ["平成27(2015)年度", "令和6(2024)年度"],
            "実績値": [42.0, 53.4],
            "単位": "%",
            "回答者数": pd.array([1225, None], dtype="Int64"),
            "95%信頼区間 下限": [39.3, 50.6],
            "95%信頼区間 上限": [44.8, 56.3],
            "目標達成ペース": [42.0, 53.7],
            "基準値": 42.0,
            "目標値": 55.0,
            "状況": ["基準年度", "○ 順調"],
        }
    )
    pd.testing.assert_frame_equal(tabulate_trend(history, indicator), expected)


def test_status_counts_table_and_its_text_alternative() -> None:
    summary = pd.DataFrame(
        {"dimension": "", "category": "", "policy_code": ["1", ""], **{status: [0, 0] for status in v.STATUSES}}
    ).assign(on_track=[2, 3], no_data=[1, 1], total=[3, 4])
    table = tabulate_status_counts(summary, {"1": "基本方針1"})
    assert table.to_dict("list") == {
        "範囲": ["基本方針1", "計画全体"],
        "◎ 達成": [0, 0],
        "○ 順調": [2, 3],
        "△ やや遅れ": [0, 0],
        "▲ 遅れ": [0, 0],
        "✕ 悪化": [0, 0],
        "－ データなし": [1, 1],
        "合計": [3, 4],
    }
    assert describe_status_counts(table) == (
        "状況別の指標数の棒グラフ。基本方針1: ○ 順調 2、－ データなし 1。計画全体: ○ 順調 3、－ データなし 1。"
    )
