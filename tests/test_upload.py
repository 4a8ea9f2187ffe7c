import io
import re
import threading
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from analytics import store
from analytics.importer import RejectedImportError, import_files, read_files, validate_files
from analytics.upload import (
    commit_upload,
    describe_result,
    preview_upload,
    tabulate_batches,
    tabulate_preview,
    template_workbook,
)

UPLOADS = Path(__file__).resolve().parent / "fixtures" / "upload"
TODAY = date(2026, 11, 24)


@pytest.fixture
def engine(real_engine: Engine) -> Engine:
    """Uploads here go into a live store, where real results are compared with real results."""
    return real_engine


def _preview(engine: Engine, files: list[tuple[str, bytes]]):
    return preview_upload(
        files,
        store.read_plans(engine)[-1].indicators,
        store.read_observations(engine),
        store.read_data_version(engine)[0],
        today=TODAY,
    )


def _csv(text: str, name: str = "upload.csv") -> list[tuple[str, bytes]]:
    return [(name, text.encode("utf-8"))]


MIXED = "年度,指標,値,回答者数\n2025,1-①,54.8,1231\n2024,1-②,52.3,1213\n2024,1-①,54.0,1202\n2025,9-⑨,40,1000\n"


def test_preview_marks_every_row_new_unchanged_changed_or_error(engine: Engine) -> None:
    preview = _preview(engine, _csv(MIXED))
    table = tabulate_preview(preview)
    assert table[["判定", "セル", "指標", "年度", "値", "変更内容"]].values.tolist() == [
        ["新規", "C2", "1-①", "令和7(2025)年度", "54.8", ""],
        ["変更なし", "C3", "1-②", "令和6(2024)年度", "52.3", ""],
        ["変更", "C4", "1-①", "令和6(2024)年度", "54", "値 53.4 → 54"],
        ["エラー", "C5", "9-⑨", "令和7(2025)年度", "40", ""],
    ]
    assert table.loc[3, "エラー"].startswith("計画にない指標です")
    assert preview.counts == {"new": 1, "unchanged": 1, "changed": 1, "error": 1}
    assert [str(issue) for issue in preview.validation.issues] == [
        "upload.csv セルB5: 計画にない指標です。「1-①」のような指標コードか、指標名を計画のとおりに書いてください（値: 9-⑨）"
    ]
    assert not preview.can_commit


def test_nothing_is_committed_while_any_error_stands(engine: Engine) -> None:
    before = store.read_observations(engine), store.read_batches(engine)
    with pytest.raises(RejectedImportError):
        commit_upload(engine, _preview(engine, _csv(MIXED)), "山田")
    pd.testing.assert_frame_equal(store.read_observations(engine), before[0])
    pd.testing.assert_frame_equal(store.read_batches(engine), before[1])


def test_a_change_of_respondents_alone_is_shown(engine: Engine) -> None:
    table = tabulate_preview(_preview(engine, _csv("年度,指標,値,回答者数\n2024,1-①,53.4,1250\n")))
    assert table.loc[0, ["判定", "変更内容"]].tolist() == ["変更", "回答者数 1,202 → 1,250"]


def test_confirm_writes_one_batch_and_says_what_was_added_and_changed(engine: Engine) -> None:
    preview = _preview(engine, read_files([UPLOADS / "wide_merged_header.xlsx"]) + _csv("年度,指標,値\n2024,2-②,148\n"))
    assert preview.counts == {"new": 2, "unchanged": 4, "changed": 1, "error": 0}
    result = commit_upload(engine, preview, "山田")
    assert (
        describe_result(result)
        == f"取込 {result.batch_id} として取り込みました: 新規 2 件、変更 1 件（変更なし 4 件）。"
    )
    latest = tabulate_batches(store.read_batches(engine)).iloc[0]
    assert latest[["取込", "取込者", "新規", "変更", "削除"]].tolist() == [f"取込 {result.batch_id}", "山田", 2, 1, 0]
    assert re.fullmatch(r"令和\d+年\d{1,2}月\d{1,2}日 \d\d:\d\d", latest["日時"])
    assert set(latest["ファイル"].split("、")) == {"wide_merged_header.xlsx", "upload.csv"}


def test_a_preview_made_before_another_batch_is_refused_with_retry(engine: Engine) -> None:
    preview = _preview(engine, _csv("年度,指標,値\n2025,1-①,54.8\n"))
    import_files(engine, _csv("年度,指標,値\n2025,1-②,53.1\n", "other.csv"), "佐藤")
    before = store.read_observations(engine)
    with pytest.raises(store.StaleBatchError, match="もう一度実行してください"):
        commit_upload(engine, preview, "山田")
    pd.testing.assert_frame_equal(store.read_observations(engine), before)


def test_two_editors_confirming_at_once_one_is_recorded_and_the_other_told_to_retry(engine: Engine) -> None:
    previews = [
        _preview(engine, _csv(f"年度,指標,値\n2025,{code},50\n", f"{name}.csv"))
        for code, name in (("1-①", "a"), ("1-②", "b"))
    ]
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def confirm(preview, user: str) -> None:
        barrier.wait()
        try:
            outcomes.append(commit_upload(engine, preview, user))
        except store.StaleBatchError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=confirm, args=(p, u)) for p, u in zip(previews, ("山田", "佐藤"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["BatchResult", "StaleBatchError"]
    batches = store.read_batches(engine)
    assert batches.iloc[0]["added"] == 1
    assert len(batches) == 2


def test_two_imports_at_once_without_a_preview_are_both_recorded(engine: Engine) -> None:
    files = [_csv(f"年度,指標,値\n2025,{code},50\n", f"{code}.csv") for code in ("1-①", "1-②")]
    threads = [threading.Thread(target=import_files, args=(engine, f, "cli")) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.read_batches(engine)["added"].tolist()[:2] == [1, 1]


def test_template_has_instructions_the_plan_and_drop_down_lists(engine: Engine) -> None:
    plan = store.read_plans(engine)[-1]
    content = template_workbook(plan, TODAY)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["記入方法", "調査結果", "指標一覧", "選択肢"]
    assert workbook["選択肢"].sheet_state == "hidden"
    assert [c.value for c in workbook["調査結果"][1]] == ["年度", "指標", "値", "回答者数", "区分", "区分値", "備考"]
    listing = [[c.value for c in row] for row in workbook["指標一覧"].iter_rows(min_row=2)]
    assert [row[:2] for row in listing] == plan.indicators[["code", "name"]].values.tolist()
    years = [row[0].value for row in workbook["選択肢"].iter_rows(min_row=2)]
    assert (years[0], years[-1]) == ("平成27(2015)年度", "令和8(2026)年度")
    validations = {str(dv.sqref): dv.formula1 for dv in workbook["調査結果"].data_validations.dataValidation}
    assert validations == {"A2:A2001": "'選択肢'!$A$2:$A$13", "B2:B2001": "'指標一覧'!$A$2:$A$12"}
    assert "取り消す" in "".join(str(row[0].value) for row in workbook["記入方法"].iter_rows())


def test_template_filled_in_excel_comes_back_in(engine: Engine) -> None:
    plan = store.read_plans(engine)[-1]
    empty = validate_files([("template.xlsx", template_workbook(plan, TODAY))], plan.indicators, today=TODAY)
    assert [str(issue) for issue in empty.issues] == [
        "template.xlsx: 取り込める行がありません。見出し行 「年度」「指標」「値」「回答者数」「区分」「区分値」「備考」 と値を入れてください。"
    ]
    workbook = load_workbook(io.BytesIO(template_workbook(plan, TODAY)))
    workbook["調査結果"].append(["令和7(2025)年度", "1-①", 54.8, 1231])
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled = validate_files([("template.xlsx", buffer.getvalue())], plan.indicators, today=TODAY)
    assert filled.ok
    assert filled.observations[["indicator_code", "fiscal_year", "value"]].values.tolist() == [["1-①", 2025, 54.8]]
    assert [sheet.layout for sheet in filled.sheets] == [None, "long", None, None]
