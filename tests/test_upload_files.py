"""Every file in tests/fixtures/upload: the layouts staff keep load with exact values; bad files are
refused with their message, quickly, and leave the store as it was."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from analytics import spreadsheets, store
from analytics.importer import RejectedImportError, import_files, read_files, validate_files
from analytics.spreadsheets import MAX_FILE_BYTES

UPLOADS = Path(__file__).resolve().parent / "fixtures" / "upload"


def _far_cell(far: str, rows: str, columns: str) -> str:
    return (
        f"使用範囲が {far} まで（{rows} 行 × {columns} 列）広がっていて調査結果の表としては大きすぎるため読み込まず、"
        f"表の外にある不要なセル（{far} など）を削除し、表より下の行と右の列をすべて選んで削除してから保存し直してください。"
    )


def _imported(engine: Engine, name: str) -> list[tuple]:
    import_files(engine, read_files([UPLOADS / name]), "tester")
    stored = store.read_observations(engine)
    return [
        (
            row.indicator_code,
            row.fiscal_year,
            row.category,
            row.value,
            None if pd.isna(row.respondents) else row.respondents,
        )
        for row in stored.itertuples()
    ]


WIDE_VALUES = [
    ("1-①", 2023, "", 52.1, 1333),
    ("1-①", 2024, "", 53.4, 1202),
    ("1-①", 2025, "", 54.8, 1231),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "wide_simple.xlsx",
            [
                ("1-①", 2023, "", 52.1, None),
                ("1-①", 2024, "", 53.4, None),
                ("1-①", 2025, "", 54.8, None),
                ("1-②", 2023, "", 52.0, None),
                ("1-②", 2024, "", 52.3, None),
                ("2-②", 2023, "", 144.0, None),
                ("2-②", 2024, "", 147.0, None),
                ("2-②", 2025, "", 151.0, None),
            ],
        ),
        (
            "wide_respondent_rows.xlsx",
            [*WIDE_VALUES, ("1-③", 2023, "", 41.6, 1341), ("1-③", 2024, "", 42.3, 1203), ("1-③", 2025, "", 43.0, 1225)],
        ),
        (
            "wide_respondent_block.xlsx",
            [
                ("3-①", 2023, "", 65.0, 747),
                ("3-①", 2024, "", 66.2, 662),
                ("3-①", 2025, "", 67.0, 820),
                ("3-②", 2023, "", 43.0, 751),
                ("3-②", 2024, "", 44.1, 651),
                ("3-②", 2025, "", 45.5, 820),
            ],
        ),
        (
            "wide_merged_header.xlsx",
            [*WIDE_VALUES, ("1-②", 2023, "", 52.0, 1330), ("1-②", 2024, "", 52.3, 1213), ("1-②", 2025, "", 53.1, 1228)],
        ),
        (
            "long_extra_sheets.xlsx",
            [("1-①", 2025, "", 54.8, 1231), ("1-②", 2025, "", 53.1, 1228), ("3-①", 2025, "", 67.0, 820)],
        ),
        (
            "long_percent_format.xlsx",
            [("1-①", 2025, "", 54.8, 1231), ("1-②", 2025, "", 53.1, 1228), ("2-②", 2025, "", 151.0, None)],
        ),
        (
            "long_year_variants.csv",
            [
                ("1-①", 2025, "", 54.8, 1231),
                ("1-②", 2024, "", 52.3, 1213),
                ("1-③", 2023, "", 41.6, 1341),
                ("1-④", 2022, "", 20.1, 1336),
                ("1-⑤", 2021, "", 34.6, 1320),
                ("1-⑥", 2019, "", 13.3, None),
                ("2-①", 2018, "", 43.6, None),
                ("2-②", 2025, "", 151.0, None),
                ("3-①", 2017, "", 58.1, None),
            ],
        ),
        ("lo_long.xlsx", [("1-①", 2025, "", 54.8, 1231), ("1-①", 2025, "20代", 49.5, 102)]),
        ("lo_long.xls", [("1-①", 2025, "", 54.8, 1231), ("1-①", 2025, "20代", 49.5, 102)]),
        ("lo_percent.xlsx", [("1-①", 2024, "", 53.4, 1202), ("1-①", 2025, "", 54.8, 1231)]),
    ],
)
def test_layout_loads_with_the_exact_values(empty_engine: Engine, name: str, expected: list[tuple]) -> None:
    assert _imported(empty_engine, name) == sorted(expected)


@pytest.mark.parametrize("name", ["lo_wide_merged.xlsx", "lo_wide_merged.xls"])
def test_libreoffice_table_with_merged_headers_percent_text_and_formulas(empty_engine: Engine, name: str) -> None:
    assert _imported(empty_engine, name) == [
        ("1-④", 2018, "", 22.4, None),
        ("1-④", 2019, "", 21.9, None),
        ("1-④", 2024, "", 19.2, None),
        ("1-④", 2025, "", 18.8, None),
        ("1-⑥", 2018, "", 14.1, 1290),
        ("1-⑥", 2019, "", 14.6, 1305),
        ("1-⑥", 2024, "", 17.3, 1194),
        ("2-①", 2018, "", 43.6, None),
        ("2-①", 2019, "", 44.8, None),
        ("2-①", 2024, "", 50.4, None),
        ("2-①", 2025, "", 51.8, None),  # =ROUND(627/1210*100,1), the value LibreOffice saved
    ]


def test_each_sheet_is_read_or_skipped_and_the_report_says_which(empty_engine: Engine) -> None:
    indicators = store.read_plans(empty_engine)[-1].indicators
    sheets = validate_files(read_files([UPLOADS / "long_extra_sheets.xlsx"]), indicators).sheets
    assert [str(sheet).removeprefix("long_extra_sheets.xlsx ") for sheet in sheets] == [
        "シート「表紙」: 読み飛ばしました（見出し行（「年度」「指標」「値」「回答者数」「区分」「区分値」「備考」、"
        "または「指標」と年度の列）が見つかりません）",
        "シート「調査結果」: 縦長形式（1行に1つの値）として 2 件を読みました",
        "シート「職員調査」: 縦長形式（1行に1つの値）として 1 件を読みました",
        "シート「作業用」: 読み飛ばしました（非表示のシートです。取り込むには再表示してください）",
    ]
    wide = validate_files(read_files([UPLOADS / "wide_simple.xlsx"]), indicators).sheets
    assert str(wide[0]).endswith(
        "横長形式（1行に1指標、1列に1年度）として 8 件を読みました。列「目標値(R7)」は読み込みません"
    )


_AMBIGUOUS = (
    "割合が 0〜1 の小数で書かれていて、45.2% の意味か 0.452% の意味か判別できません。"
    "％の数値（例: 45.2）で入力してください（1% 未満の値なら「0.452%」のように % を付けて入力）"
)
_RESAVE = "Excel で開いて「名前を付けて保存」から正しい形式で保存し直してください。"
_MACRO = (
    "マクロを含むブックは安全のため受け付けません。"
    "Excel で「名前を付けて保存」から「Excel ブック（*.xlsx）」を選んで保存し直してください。"
)


@pytest.mark.parametrize(
    ("name", "messages"),
    [
        (
            "ambiguous_fraction.xlsx",
            [f"シート「調査結果」 セルC2: {_AMBIGUOUS}。または、セルの書式を「パーセント」にしてください（値: 0.452）"],
        ),
        (
            "lo_percent.xls",
            [
                f"シート「lo_percent」 セル{cell}: {_AMBIGUOUS}。xls 形式ではセルの書式を確かめられないため、"
                f"パーセント書式の表は xlsx 形式で保存し直してください（値: {value}）"
                for cell, value in (("B2", "0.534"), ("C2", "0.548"))
            ],
        ),
        (
            "formula_uncached.xlsx",
            [
                "シート「調査結果」 セルC2: 数式の計算結果が保存されていません。Excel で開いて上書き保存してから、"
                "もう一度アップロードしてください（数式を作ったソフトによっては、計算結果を保存しないことがあります）。"
            ],
        ),
        (
            "eraless_year.xlsx",
            [
                f"シート「推移」 セル{cell}: 年度の見出しとして読めません。元号がないため、令和か平成か判別できません。"
                f"「令和6年度」のように元号を付けるか、「2024」のように西暦で書いてください（値: {value}）"
                for cell, value in (("B1", "5年度"), ("C1", "6年度"))
            ],
        ),
        (
            "duplicate_year_column.xlsx",
            [
                "シート「推移」 セルC1: 同じ年度の列が2つあります（最初の列: B1）。どちらか一方にしてください。（値: 令和6年度）"
            ],
        ),
        (
            "respondents_without_value.xlsx",
            [
                f"シート「職員調査」 セル{cell}: この回答者数に対応する値がありません。"
                f"同じ指標・年度の値があるか、指標の書き方が値の行と同じか確かめてください。（値: {value}）"
                for cell, value in (("B4", 651), ("C4", 820))
            ],
        ),
        (
            "code_name_mismatch.xlsx",
            [
                "シート「調査結果」 セルC2: 指標コードと指標名が一致しません（1-① の指標名は"
                "「住んでいる地域の必要な情報が入手できると感じている市民の割合」）。どちらかを直してください"
                "（値: 必要な市の情報が入手できると感じている市民の割合）"
            ],
        ),
        ("macro.xlsm", [f": {_MACRO}"]),
        ("macro_inside.xlsx", [f": {_MACRO}"]),
        (
            "encrypted.xlsx",
            [
                ": パスワードで暗号化されているため読めません。"
                "Excel で開き、「ファイル」→「情報」→「ブックの保護」でパスワードを解除して保存し直してください。"
            ],
        ),
        (
            "zip_bomb.xlsx",
            [
                ": 展開すると 100 MB になり、ファイルの大きさ（0.1 MB）に比べて異常に大きいため、安全のため読み込みません。"
                "Excel で開いて必要なシートだけを新しいブックにコピーし、保存し直してください。"
            ],
        ),
        *(
            (name, [f"シート「調査結果」 セル{far}: {_far_cell(far, rows, columns)}"])
            for name, far, rows, columns in (
                ("stray_cell.xlsx", "XFD1048576", "1,048,576", "16,384"),
                ("dimension_lie.xlsx", "ZZ200000", "200,000", "702"),
                ("stray_cell.xls", "IV65536", "65,536", "256"),
            )
        ),
        (
            "html_as_xls.xls",
            [f": ファイルの中身が拡張子（.xls）と一致しません（中身は Web ページ（HTML）です）。{_RESAVE}"],
        ),
        (
            "docx_as_xlsx.xlsx",
            [
                f": ファイルの中身が拡張子（.xlsx）と一致しません（中身は Excel ではない ZIP ファイル（Word 文書など）です）。{_RESAVE}"
            ],
        ),
        (
            "xlsx_as_csv.csv",
            [f": ファイルの中身が拡張子（.csv）と一致しません（中身は xlsx 形式の Excel ファイルです）。{_RESAVE}"],
        ),
    ],
)
def test_bad_file_is_refused_with_its_message_and_the_store_is_unchanged(
    engine: Engine, name: str, messages: list[str]
) -> None:
    # How long a refusal takes is a figure of benchmarks/bench_import.py, not a timed test.
    before = store.read_observations(engine), store.read_batches(engine)
    with pytest.raises(RejectedImportError) as refused:
        import_files(engine, read_files([UPLOADS / name]), "tester", replace=True)
    assert [str(issue).removeprefix(f"{name} ").removeprefix(name) for issue in refused.value.issues] == messages
    pd.testing.assert_frame_equal(store.read_observations(engine), before[0])
    pd.testing.assert_frame_equal(store.read_batches(engine), before[1])


class _NoCellReader:
    """Stands in for the cell reader where a file must be refused before any cell is read."""

    @staticmethod
    def from_filelike(_stream: object) -> None:
        raise AssertionError("a cell was read")


def test_a_sheet_of_a_million_cells_is_refused_without_reading_a_cell(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = _fixture_script().many_cells_workbook()
    indicators = store.read_plans(engine)[-1].indicators
    monkeypatch.setattr(spreadsheets, "CalamineWorkbook", _NoCellReader)
    validation = validate_files([("many.xlsx", content)], indicators)
    # Reading stops as soon as the range is too large, so the corner named is the first one past it.
    assert [str(issue) for issue in validation.issues] == [
        f"many.xlsx シート「調査結果」 セルALL1001: {_far_cell('ALL1001', '1,001', '1,000')}"
    ]


def test_a_far_cell_placed_by_counting_in_a_prefixed_sheet_is_found(engine: Engine) -> None:
    # Cells may omit their reference (each follows the previous one) and tags may carry a prefix.
    far_row = "<x:c/>" * 299 + "<x:c><x:v>1</x:v></x:c>"
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        f'<x:row><x:c><x:v>2025</x:v></x:c></x:row><x:row r="5000">{far_row}</x:row></x:sheetData></x:worksheet>'
    )
    content = _fixture_script().workbook_with_sheet_xml(sheet)
    validation = validate_files([("prefixed.xlsx", content)], store.read_plans(engine)[-1].indicators)
    assert [str(issue) for issue in validation.issues] == [
        f"prefixed.xlsx シート「調査結果」 セルKN5000: {_far_cell('KN5000', '5,000', '300')}"
    ]


def test_a_csv_line_of_a_million_commas_is_refused_like_a_stray_cell(engine: Engine) -> None:
    content = ("年度,指標,値\n2025,1-①,54.8" + "," * 600_000 + "\n").encode()
    validation = validate_files([("wide.csv", content)], store.read_plans(engine)[-1].indicators)
    assert [str(issue) for issue in validation.issues] == [f"wide.csv セルXFD2: {_far_cell('XFD2', '2', '600,003')}"]


def test_a_dimension_beyond_the_last_column_any_program_writes_is_refused_as_unreadable(engine: Engine) -> None:
    content = _fixture_script().raw_workbook("A1:ZZZZ9", {1: [("A", 2025)]})
    validation = validate_files([("broken.xlsx", content)], store.read_plans(engine)[-1].indicators)
    assert [str(issue) for issue in validation.issues] == [
        "broken.xlsx: Excel ファイルとして読めません（壊れているか、別の形式です）。Excel で開けることを確かめ、保存し直してください。"
    ]


def _fixture_script():
    spec = importlib.util.spec_from_file_location("make_fixtures", UPLOADS / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(engine: Engine) -> None:
    indicators = store.read_plans(engine)[-1].indicators
    validation = validate_files([("big.xlsx", b"PK\x03\x04" + bytes(MAX_FILE_BYTES))], indicators)
    assert [str(issue) for issue in validation.issues] == [
        "big.xlsx: ファイルが大きすぎます（20.0 MB、上限 20 MB）。不要なシートを削除するか、ファイルを分けてください。"
    ]
