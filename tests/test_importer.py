from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from analytics import store
from analytics.importer import RejectedImportError, import_files, read_files

IMPORTS = Path(__file__).resolve().parent / "fixtures" / "import"

GOOD_VALUES = pd.DataFrame(
    {
        "indicator_code": ["1-①", "1-①", "1-②", "2-②"],
        "fiscal_year": [2025, 2025, 2025, 2025],
        "dimension": ["", "年代", "", ""],
        "category": ["", "20代", "", ""],
        "value": [54.8, 49.5, 53.1, 151.0],
        "respondents": pd.array([1231, 102, 1228, None], dtype="Int64"),
        "note": ["", "", "郵送とWeb", "業務統計"],
        "sample": False,
    }
)


def _files(*names: str) -> list[tuple[str, bytes]]:
    return read_files([IMPORTS / name for name in names])


@pytest.mark.parametrize("name", ["good_long.xlsx", "good_cp932.csv"])
def test_good_file_loads_with_the_exact_values(empty_engine: Engine, name: str) -> None:
    result = import_files(empty_engine, _files(name), "tester")
    assert (result.added, result.changed) == (4, 0)
    pd.testing.assert_frame_equal(store.read_observations(empty_engine), GOOD_VALUES)


def test_batch_records_file_name_hash_and_user(empty_engine: Engine) -> None:
    import_files(empty_engine, _files("good_long.xlsx"), "山田")
    batch = store.read_batches(empty_engine).iloc[0]
    assert (batch["files"], batch["created_by"], batch["added"]) == ("good_long.xlsx", "山田", 4)


@pytest.mark.parametrize(
    ("name", "messages"),
    [
        (
            "unknown_indicator.xlsx",
            [
                "unknown_indicator.xlsx シート「調査結果」 セルB3: 計画にない指標です。"
                "「1-①」のような指標コードか、指標名を計画のとおりに書いてください（値: 9-⑨）"
            ],
        ),
        (
            "year_out_of_range.xlsx",
            [
                "year_out_of_range.xlsx シート「調査結果」 セルA2: 年度が範囲外です。1989〜2026年度の値にしてください（値: 1850）"
            ],
        ),
        (
            "share_above_100.xlsx",
            [
                "share_above_100.xlsx シート「調査結果」 セルC2: 割合は 0〜100 の範囲で入力してください"
                "（％の値をそのまま。0.452 ではなく 45.2）（値: 120.5）"
            ],
        ),
        (
            "share_below_0.xlsx",
            [
                "share_below_0.xlsx シート「調査結果」 セルC2: 割合は 0〜100 の範囲で入力してください"
                "（％の値をそのまま。0.452 ではなく 45.2）（値: -3）"
            ],
        ),
        (
            "text_in_number.xlsx",
            [
                "text_in_number.xlsx シート「調査結果」 セルC2: 数値ではありません。数字だけを入力してください（値: 約45）"
            ],
        ),
        (
            "missing_column.xlsx",
            [
                "missing_column.xlsx シート「調査結果」 1行目: 必須の列「値」がありません。"
                "見出し行に 「年度」「指標」「値」「回答者数」「区分」「区分値」「備考」 の列を入れてください。"
            ],
        ),
        (
            "duplicate_row.xlsx",
            [
                "duplicate_row.xlsx シート「調査結果」 セルB3: 同じ指標・年度・区分の行が重複しています"
                "（最初の行: duplicate_row.xlsx シート「調査結果」2行目）。どちらか一方を消してください（値: 1-①）"
            ],
        ),
        (
            "not_a_workbook.xlsx",
            [
                "not_a_workbook.xlsx: ファイルの中身が拡張子（.xlsx）と一致しません（中身は CSV などのテキストです）。"
                "Excel で開いて「名前を付けて保存」から正しい形式で保存し直してください。"
            ],
        ),
    ],
)
def test_bad_file_is_refused_naming_the_cell_and_the_store_is_unchanged(
    engine: Engine, name: str, messages: list[str]
) -> None:
    before = store.read_observations(engine), store.read_batches(engine)
    with pytest.raises(RejectedImportError) as refused:
        import_files(engine, _files(name), "tester", replace=True)
    assert [str(issue) for issue in refused.value.issues] == messages
    pd.testing.assert_frame_equal(store.read_observations(engine), before[0])
    pd.testing.assert_frame_equal(store.read_batches(engine), before[1])


def test_one_bad_file_stops_the_whole_batch(empty_engine: Engine) -> None:
    with pytest.raises(RejectedImportError):
        import_files(empty_engine, _files("good_long.xlsx", "text_in_number.xlsx"), "tester")
    assert store.read_observations(empty_engine).empty


def test_same_row_in_two_files_of_one_batch_is_a_duplicate(empty_engine: Engine) -> None:
    with pytest.raises(RejectedImportError) as refused:
        import_files(empty_engine, _files("good_long.xlsx", "good_cp932.csv"), "tester")
    assert len(refused.value.issues) == 4
    assert "最初の行: good_long.xlsx シート「調査結果」2行目" in str(refused.value.issues[0])


def test_reimporting_the_same_file_changes_nothing(empty_engine: Engine) -> None:
    import_files(empty_engine, _files("good_long.xlsx"), "tester")
    result = import_files(empty_engine, _files("good_long.xlsx"), "tester")
    assert (result.added, result.changed, result.unchanged) == (0, 0, 4)


def test_title_rows_above_the_header_are_skipped(empty_engine: Engine, tmp_path: Path) -> None:
    csv = "市民意識調査 結果（速報）\n\n年度,指標,値,回答者数\n令和7年度,１－①,５４．８％,1231\n"
    path = tmp_path / "titled.csv"
    path.write_text(csv, encoding="cp932")
    import_files(empty_engine, read_files([path]), "tester")
    assert store.read_observations(empty_engine)[["fiscal_year", "value", "respondents"]].values.tolist() == [
        [2025, 54.8, 1231]
    ]


def test_csv_in_an_unknown_encoding_is_refused(empty_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_text("年度,指標,値\n2025,1-①,54.8\n", encoding="utf-16")
    with pytest.raises(RejectedImportError) as refused:
        import_files(empty_engine, read_files([path]), "tester")
    assert "UTF-8 または Shift_JIS（CP932）で保存してください" in str(refused.value.issues[0])


def test_first_start_loads_every_sample_file_as_sample_data(engine: Engine) -> None:
    observations = store.read_observations(engine)
    assert observations["sample"].all()
    overall = observations[observations["dimension"] == ""]
    assert sorted(overall["indicator_code"].unique()) == sorted(store.read_plans(engine)[-1].indicators["code"])
    assert (overall["fiscal_year"].min(), overall["fiscal_year"].max()) == (2015, 2024)
    assert set(observations["dimension"]) == {"", "年代", "地域"}
