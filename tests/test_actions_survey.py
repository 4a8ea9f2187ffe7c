"""The 調査票 cycle on the command line: survey per 担当課, import with per-cell errors, undo."""

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.accounts import ADMIN, EDITOR, User
from analytics.actions.settings import load_action_settings
from analytics.actions.survey import (
    ReportRefusedError,
    check_reportable,
    list_plan_departments,
    list_reportable,
    read_survey,
)
from analytics.cli import main
from analytics.plan import build_plan

PLANNED, PARTLY = "○ 計画どおり", "△ 一部未実施"
DEPARTMENTS = {"1-①": "広報課", "1-②": "広報課", "1-③": "参画協働課"}


@pytest.fixture
def plan_store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The sample store whose current plan names a 担当課 for three 取組項目 (the others have none)."""
    current = store.read_plans(engine)[-1]
    nodes = current.nodes.assign(
        lead_department=current.nodes["code"].map(DEPARTMENTS).where(current.nodes["kind"] == "action")
    )
    store.add_plan_revisions(
        engine,
        [
            build_plan(
                title=current.title,
                label="担当課つき",
                revision=0,
                source="test",
                levels=current.levels,
                nodes=nodes,
                indicators=current.indicators,
                yearly_targets=current.yearly_targets,
            )
        ],
    )
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, engine.url.render_as_string(hide_password=False))
    return engine


def _fill(path: Path, cells: dict[str, object]) -> Path:
    workbook = load_workbook(path)
    for reference, value in cells.items():
        workbook["調査票"][reference] = value
    workbook.save(path)
    return path


def test_survey_writes_one_workbook_per_department_with_its_actions_and_drop_downs(
    plan_store: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["actions", "survey", "--year", "2024", "--output", str(tmp_path)]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "調査票_2024年度_参画協働課.xlsx",
        "調査票_2024年度_広報課.xlsx",
        "調査票_2024年度_担当課未設定.xlsx",
    ]
    assert capsys.readouterr().out.endswith("2024年度の調査票 3 件を書き出しました。\n")
    workbook = load_workbook(tmp_path / "調査票_2024年度_広報課.xlsx")
    sheet = workbook["調査票"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(max_col=3)]
    assert rows == [
        ["年度", 2024, None],
        ["担当課", "広報課", None],
        [None, None, None],
        ["コード", "取組項目", "実施状況"],
        ["1-①", "「参画と協働」に関するホームページの充実", None],
        ["1-②", "各地域のデータの提供", None],
    ]
    assert sheet.protection.sheet
    assert sheet["A5"].protection.locked
    assert not sheet["C5"].protection.locked
    lists = sorted(
        (str(rule.sqref), rule.formula1) for rule in sheet.data_validations.dataValidation if rule.type == "list"
    )
    assert lists == [("C5:C6", "'選択肢'!$A$1:$A$4"), ("H5:H6", "'選択肢'!$B$1:$B$5")]
    assert [cell.value for cell in workbook["選択肢"]["A"]][:4] == [
        "◎ 計画以上",
        "○ 計画どおり",
        "△ 一部未実施",
        "✕ 未実施",
    ]


def test_a_filled_survey_is_imported_as_one_batch_and_undone(
    plan_store: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["actions", "survey", "--year", "2024", "--output", str(tmp_path)])
    filled = _fill(
        tmp_path / "調査票_2024年度_広報課.xlsx",
        {"C5": PLANNED, "D5": '=HYPERLINK("x")', "E5": 12, "F5": 340, "G5": "更新が遅い", "H5": "改善", "C6": PARTLY},
    )
    capsys.readouterr()
    assert main(["actions", "import", "--year", "2024", "--user", "事務局", str(filled)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"新規\t1-①\t{PLANNED}\t広報課",
        f"新規\t1-②\t{PARTLY}\t広報課",
        "取込 2 として取組項目 2 件の報告を登録しました（取り消し: actions undo 2）。",
    ]
    reports = store.read_action_reports(plan_store)
    expected = pd.DataFrame(
        {
            "action_code": ["1-①", "1-②"],
            "status": [PLANNED, PARTLY],
            "sessions": pd.array([12, None], dtype="Int64"),
            "participants": pd.array([340, None], dtype="Int64"),
            "issues": ["更新が遅い", ""],
            "direction": ["改善", ""],
            "department": ["広報課", "広報課"],
            "entered_by": ["事務局", "事務局"],
            "batch_id": [2, 2],
        }
    )
    pd.testing.assert_frame_equal(reports[expected.columns].reset_index(drop=True), expected, check_dtype=False)
    assert main(["actions", "import", "--year", "2024", "--dry-run", str(filled)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"変更なし\t1-①\t{PLANNED}\t広報課"
    assert main(["actions", "undo", "2"]) == 0
    assert store.read_action_reports(plan_store).empty  # step 1 withdrew the sample reports


@pytest.mark.parametrize(
    ("file_name", "cells", "error"),
    [
        (
            "調査票_2024年度_広報課.xlsx",
            {"A7": "9-⑨", "C7": PLANNED},
            "調査票_2024年度_広報課.xlsx の「調査票」シート A7: 計画にない取組項目「9-⑨」です。配布した調査票の行を使ってください。",
        ),
        (
            "調査票_2024年度_広報課.xlsx",
            {"C5": "済"},
            "調査票_2024年度_広報課.xlsx の「調査票」シート C5: 実施状況「済」は選択肢にありません。"
            "◎ 計画以上 / ○ 計画どおり / △ 一部未実施 / ✕ 未実施 から選んでください。",
        ),
        (
            "調査票_2024年度_広報課.xlsx",
            {"A7": "1-③", "C7": PLANNED},
            "調査票_2024年度_広報課.xlsx の「調査票」シート A7: 取組項目「1-③」の担当課は参画協働課です（この調査票は広報課）。"
            "その行を削除し、担当課に記入を依頼してください。",
        ),
        (
            "調査票_2024年度_広報課.xlsx",
            {"B1": 2023, "C5": PLANNED},
            "調査票_2024年度_広報課.xlsx の「調査票」シート B1: 年度が 2023 です。2024年度の調査票を取り込んでください。",
        ),
        (
            "調査票_2024年度_参画協働課.xlsx",
            {"C5": PLANNED, "F5": "たくさん"},
            "調査票_2024年度_参画協働課.xlsx の「調査票」シート F5: 「たくさん」は 0 以上の整数ではありません。整数で記入するか空欄にしてください。",
        ),
    ],
    ids=["unknown action", "status outside the scale", "another department's action", "year mismatch", "not a number"],
)
def test_each_wrong_cell_is_named_and_nothing_is_imported(
    plan_store: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], file_name: str, cells: dict, error: str
) -> None:
    main(["actions", "survey", "--year", "2024", "--output", str(tmp_path)])
    filled = _fill(tmp_path / file_name, cells)
    capsys.readouterr()
    assert main(["actions", "import", "--year", "2024", str(filled)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"エラー: {error}",
        "エラー: 1 件の誤りがあるため、何も取り込みませんでした。直してからもう一度取り込んでください。",
    ]
    assert store.read_action_reports(plan_store)["sample"].all()


def test_a_workbook_that_is_not_a_survey_is_refused_in_one_sentence(
    plan_store: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(other, index=False)
    assert main(["actions", "import", "--year", "2024", str(other)]) == 1
    assert (
        capsys.readouterr().err
        == "エラー: other.xlsx: 「調査票」シートがありません。事務局が配布した調査票に記入してください。\n"
    )


def test_the_sample_reports_are_loaded_marked_and_withdrawn_by_the_first_real_one(plan_store: Engine) -> None:
    sample = store.read_action_reports(plan_store)
    assert sample.groupby("fiscal_year").size().to_dict() == {2022: 21, 2023: 21, 2024: 21}
    assert sample["sample"].all()
    report = {"action_code": "1-①", "fiscal_year": 2025, "status": PLANNED, "result": "", "sessions": None}
    extra = {"participants": None, "issues": "", "direction": "", "department": "広報課"}
    store.write_action_reports(plan_store, pd.DataFrame([report | extra]), "山田")
    assert store.read_action_reports(plan_store)[["action_code", "fiscal_year", "sample"]].values.tolist() == [
        ["1-①", 2025, False]
    ]
    history = store.read_action_batches(plan_store)
    assert history[["id", "created_by", "withdraws_sample"]].values.tolist() == [[1, "山田", True]]
    assert store.undo_action_batch(plan_store, 1) == 63
    restored = store.read_action_reports(plan_store)
    pd.testing.assert_frame_equal(
        restored[restored["sample"]].reset_index(drop=True), sample.reset_index(drop=True), check_dtype=False
    )


def test_real_survey_results_withdraw_the_sample_reports_as_an_undoable_step(plan_store: Engine) -> None:
    sample = store.read_action_reports(plan_store)
    real = pd.DataFrame(
        {
            "indicator_code": ["1-①"],
            "fiscal_year": [2025],
            "dimension": [v.OVERALL],
            "category": [v.OVERALL],
            "value": [50.0],
            "respondents": pd.array([1000], dtype="Int64"),
            "note": [""],
            "sample": [False],
        }
    )
    store.record_batch(plan_store, real, [store.SourceFile.from_bytes("r7.xlsx", b"r7", 1)], "事務局")
    assert store.read_action_reports(plan_store).empty
    step = store.read_action_batches(plan_store).iloc[0]
    assert (step["created_by"], step["withdraws_sample"], step["file_names"]) == ("事務局", True, "")
    assert store.undo_action_batch(plan_store, int(step["id"])) == len(sample)
    pd.testing.assert_frame_equal(store.read_action_reports(plan_store), sample)


def test_the_evaluation_sheet_shows_each_measure_with_its_actions_and_both_grades(
    plan_store: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store.write_secondary_evaluation(plan_store, "1.1", 2024, "A", "委員会の判断", "管理太郎")
    output = tmp_path / "施策評価シート.xlsx"
    assert main(["actions", "sheet", "--year", "2024", "--output", str(output)]) == 0
    assert capsys.readouterr().out == f"令和6(2024)年度の施策評価シート 5 枚を {output} に書き出しました。\n"
    workbook = load_workbook(output)
    assert workbook.sheetnames == [
        "基本施策1.1",
        "基本施策1.2",
        "基本施策2.1",
        "基本施策2.2",
        "基本施策3.1",
    ]
    sheet = workbook["基本施策1.1"]
    assert sheet["A1"].value == "令和6(2024)年度 施策評価シート　基本施策1.1　情報共有と発信の仕組みづくり"
    evaluations = [[sheet.cell(row, column).value for column in (1, 3, 4)] for row in range(5, 8)]
    assert evaluations[1] == ["二次評価", "A 順調", "委員会の判断"]
    assert evaluations[0][1][0] in "ABCD"
    assert evaluations[2] in (
        ["一次・二次の差", "なし", "一次評価と同じ"],
        ["一次・二次の差", "あり", f"一次評価（{evaluations[0][1]}）と異なる"],
    )
    assert [cell.value for cell in sheet[19]][:4] == ["コード", "取組項目", "担当課", "実施状況"]
    statuses = {row[0]: row[3] for row in sheet.iter_rows(min_row=20, values_only=True)}
    assert set(statuses.values()) <= {"◎ 計画以上", "○ 計画どおり", "△ 一部未実施", "✕ 未実施"}


@pytest.mark.parametrize(
    ("reporter", "errors"),
    [
        (None, []),
        (User("管理太郎", ADMIN, ("参画協働課",)), []),
        (User("山田", EDITOR), []),
        (User("山田", EDITOR, ("広報課",)), []),
        (
            User("佐藤", EDITOR, ("参画協働課", "市民課")),
            [
                f"調査票_2024年度_広報課.xlsx の「調査票」シート A{row}: 取組項目「{code}」の担当課は広報課で、"
                "佐藤さんの担当課（参画協働課、市民課）ではありません。広報課の編集者か管理者に入力を依頼してください。"
                for row, code in ((5, "1-①"), (6, "1-②"))
            ],
        ),
    ],
    ids=["command line", "admin", "editor without 担当課", "editor of the section", "editor of another section"],
)
def test_an_editor_imports_only_the_rows_of_their_own_departments(
    plan_store: Engine, tmp_path: Path, reporter: User | None, errors: list[str]
) -> None:
    main(["actions", "survey", "--year", "2024", "--output", str(tmp_path)])
    filled = _fill(tmp_path / "調査票_2024年度_広報課.xlsx", {"C5": PLANNED, "C6": PARTLY})
    plan = store.read_plans(plan_store)[-1]
    answers = read_survey(filled.name, filled.read_bytes(), 2024, plan, load_action_settings(), reporter)
    assert (answers.errors, len(answers.rows)) == (errors, 0 if errors else 2)


def test_the_entry_choices_are_the_actions_of_the_editors_departments(plan_store: Engine) -> None:
    plan = store.read_plans(plan_store)[-1]
    assert list_reportable(plan, User("佐藤", EDITOR, ("参画協働課",)))["code"].tolist() == ["1-③"]
    assert len(list_reportable(plan, User("山田", EDITOR))) == 21
    assert list_plan_departments(plan) == ["参画協働課", "広報課"]
    with pytest.raises(ReportRefusedError, match="取組項目「1-①」の担当課は広報課で、佐藤さんの担当課（参画協働課）"):
        check_reportable(plan, "1-①", User("佐藤", EDITOR, ("参画協働課",)))
