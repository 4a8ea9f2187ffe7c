import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.cli import main
from analytics.plan import PLAN_DIRECTORY, PlanError, load_plan
from analytics.planfile.command import describe_draft
from analytics.planfile.drafts import complete_drafts, read_drafts
from analytics.planfile.export import export_plan
from analytics.planfile.parsing import with_inferred
from analytics.planfile.tables import PlanFileError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "planfile"
SEED = FIXTURES / "seed_taikei.txt"  # a copy of the seed 体系表 (/work/shared/seeds/000_8a6ffe277692676f.txt)


def _drafts(path: Path) -> list:
    return read_drafts(path.name, path.read_bytes())


def _summary(path: Path) -> list[tuple[str, dict[str, int]]]:
    return [(draft["label"], draft["counts"]) for draft in map(describe_draft, _drafts(path))]


CITY = {"基本目標": 2, "施策": 2, "方向性": 3, "主な取組": 4, "成果指標": 3}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            SEED,
            [
                ("11月13日送付", {"基本方針": 3, "基本施策": 5, "施策の方向": 10, "取組項目": 21, "施策評価指標": 10}),
                ("11月30日現在", {"基本方針": 3, "基本施策": 5, "施策の方向": 10, "取組項目": 21, "施策評価指標": 11}),
            ],
            id="seed text, two drafts in file order",
        ),
        pytest.param(FIXTURES / "merged_other_city.xlsx", [("令和7年3月策定", CITY)], id="xlsx merged cells"),
        pytest.param(FIXTURES / "merged_other_city.xls", [("令和7年3月策定", CITY)], id="xls merged cells"),
        pytest.param(
            FIXTURES / "blank_same_as_above.xlsx",
            [("令和7年3月策定", {"目標": 2, "基本施策": 3, "施策の展開": 4, "事業": 5, "指標": 3})],
            id="xlsx blanks, indicators in the policy cell",
        ),
    ],
)
def test_each_shape_gives_the_drafts_with_the_city_level_names(path: Path, expected: list) -> None:
    assert _summary(path) == expected


def test_seed_draft_is_the_shipped_demo_plan_item_for_item(engine: Engine) -> None:
    plans = complete_drafts(_drafts(SEED), store.read_plans(engine))
    assert [plan.sha256 for plan in plans] == [plan.sha256 for plan in store.read_plans(engine)]


def test_indicator_columns_belong_to_the_indicator_beside_them() -> None:
    (draft,) = _drafts(FIXTURES / "merged_other_city.xlsx")
    found = pd.DataFrame(map(with_inferred, draft.indicators.to_dict("records")))[
        [
            "code",
            "name",
            "respondent",
            "unit",
            "higher_is_better",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
            "lead_department",
            "related_departments",
        ]
    ]
    expected = pd.DataFrame(
        [
            [
                "1-①",
                "地域の情報が入手できると感じている市民の割合",
                v.CITIZEN,
                "%",
                True,
                2020,
                40.5,
                2030,
                50.0,
                "協働推進課",
                "広報課、地域振興課",
            ],
            ["1-②", "自治会の加入率", v.ADMINISTRATIVE, "%", False, 2020, 62.0, 2030, 55.0, "地域振興課", None],
            ["2-①", "協働事業の件数", v.ADMINISTRATIVE, "件", True, 2020, 12.0, 2030, 20.0, "協働推進課", None],
        ],
        columns=found.columns,
    )
    pd.testing.assert_frame_equal(found, expected, check_dtype=False)


def test_items_split_on_line_breaks_and_actions_keep_their_department() -> None:
    (draft,) = _drafts(FIXTURES / "merged_other_city.xlsx")
    actions = draft.nodes[draft.nodes["kind"] == v.ACTION][["code", "parent_code", "name", "lead_department"]]
    expected = pd.DataFrame(
        [
            ["1-①", "1.1.1", "地域情報サイトの運営", "広報課"],
            ["1-②", "1.1.1", "広報紙の充実", "広報課"],
            ["1-③", "1.1.2", "地域リーダー講座の開催", "協働推進課"],
            ["2-①", "2.1.1", "協働事業提案制度の運用", "協働推進課"],
        ],
        columns=actions.columns,
    )
    pd.testing.assert_frame_equal(actions.reset_index(drop=True), expected)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "orphan_item.xlsx",
            "orphan_item.xlsx シート「施策体系」セル C3: 施策の方向「情報の発信」には、属する基本施策が上にありません。"
            "基本施策の列を埋めてください。",
        ),
        (
            "no_header.xlsx",
            "no_header.xlsx: 体系表の見出し行（基本方針・基本施策・施策の方向・取組項目などの列名が並ぶ行）が見つかりません。"
            "表の上に列名の行を入れてください。",
        ),
        (
            "text_baseline.xlsx",
            "text_baseline.xlsx シート「施策体系」セル G3: 「四十」を数値として読めません。数値だけを書いてください。",
        ),
        (
            "missing_level.xlsx",
            "missing_level.xlsx シート「施策体系」セル A2: 見出し行に 施策の方向／方向性／施策の展開 の列がありません。"
            "上位から順に、階層ごとに1列ずつ列名を入れてください。",
        ),
    ],
)
def test_invalid_file_is_refused_naming_file_sheet_and_cell(name: str, message: str) -> None:
    with pytest.raises(PlanFileError, match=f"^{re.escape(message)}$"):
        _drafts(FIXTURES / name)


def test_indicator_without_values_anywhere_is_refused_naming_its_cell(engine: Engine) -> None:
    with pytest.raises(PlanFileError) as error:
        complete_drafts(_drafts(FIXTURES / "blank_same_as_above.xlsx"), store.read_plans(engine))
    assert str(error.value) == (
        "blank_same_as_above.xlsx シート「施策体系」セル A3: 指標「地域活動に参加している市民の割合」の基準値・目標値が"
        "ファイルにも登録済みの計画にもありません。指標の右に「基準値(R2)」「目標値(R12)」の列を加えてください。"
    )


@pytest.mark.parametrize("format_name", ["xlsx", "yaml"])
def test_export_then_import_gives_the_same_plan(engine: Engine, tmp_path: Path, format_name: str) -> None:
    (imported,) = complete_drafts(_drafts(FIXTURES / "merged_other_city.xlsx"), store.read_plans(engine))
    assert store.add_plan_revisions(engine, [imported]) == [3]
    stored = store.read_plans(engine)[-1]
    path = tmp_path / f"plan.{format_name}"
    export_plan(stored, format_name, path)
    (again,) = complete_drafts(_drafts(path), store.read_plans(engine))
    assert (again.levels, again.sha256) == (stored.levels, stored.sha256)
    assert store.add_plan_revisions(engine, [again]) == [None]


def test_exported_workbook_keeps_formula_like_text_as_text(engine: Engine, tmp_path: Path) -> None:
    plan = store.read_plans(engine)[-1]
    nodes = plan.nodes.copy()
    nodes.loc[nodes["kind"] == v.ACTION, "lead_department"] = '=HYPERLINK("x")'
    path = tmp_path / "plan.xlsx"
    export_plan(type(plan)(**{**plan.__dict__, "nodes": nodes}), "xlsx", path)
    cell = load_workbook(path)["体系表"]["E3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")


@pytest.fixture
def _cli_store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)


@pytest.mark.usefixtures("_cli_store")
def test_dry_run_prints_the_drafts_as_json_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    assert main(["plan", "import", "--dry-run", "--format", "json", str(FIXTURES / "merged_other_city.xlsx")]) == 0
    (draft,) = json.loads(capsys.readouterr().out)
    assert draft["levels"][0] == {"kind": "policy", "name": "基本目標"}
    assert draft["indicators"][2] == {
        "code": "2-①",
        "name": "協働事業の件数",
        "baseline": {"fiscal_year": 2020, "value": 12.0},
        "target": {"fiscal_year": 2030, "value": 20.0},
        "yearly_targets": [],
        "unit": "件",
        "lead_department": "協働推進課",
        "related_departments": None,
    }
    assert main(["init"]) == 0
    assert [plan.revision for plan in store.read_plans(store.open_store(database_url))] == [1, 2]


@pytest.mark.usefixtures("_cli_store")
def test_import_adds_a_revision_once_and_exits_0(capsys: pytest.CaptureFixture[str], database_url: str) -> None:
    assert main(["plan", "import", str(FIXTURES / "merged_other_city.xlsx")]) == 0
    assert main(["plan", "import", str(FIXTURES / "merged_other_city.xlsx")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "「令和7年3月策定」を計画の版 3 として登録しました（基本目標 2 / 施策 2 / 方向性 3 / 主な取組 4 / 成果指標 3）。",
        "「令和7年3月策定」: 同じ内容の版が登録済みのため、変更しませんでした。",
    ]
    current = store.read_plans(store.open_store(database_url))[-1]
    assert current.level(v.POLICY) == "基本目標"


@pytest.mark.usefixtures("_cli_store")
def test_dry_run_text_lists_each_draft_with_its_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "import", "--dry-run", str(SEED)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if not line.startswith("  ")] == [
        "seed_taikei.txt: 「11月13日送付」 基本方針 3 / 基本施策 5 / 施策の方向 10 / 取組項目 21 / 施策評価指標 10",
        "seed_taikei.txt: 「11月30日現在」 基本方針 3 / 基本施策 5 / 施策の方向 10 / 取組項目 21 / 施策評価指標 11",
    ]
    assert "  2-② 地域分権制度適用地域の主要な団体数: 基準値・目標値なし、単位 団体" in lines


@pytest.mark.usefixtures("_cli_store")
def test_invalid_plan_file_exits_1_with_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "import", str(FIXTURES / "orphan_item.xlsx")]) == 1
    assert capsys.readouterr().err.startswith("エラー: orphan_item.xlsx シート「施策体系」セル C3: ")


@pytest.mark.usefixtures("_cli_store")
def test_export_writes_the_chosen_revision(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    output = tmp_path / "plan.yaml"
    assert main(["plan", "export", "--format", "yaml", "--output", str(output), "--revision", "1"]) == 0
    assert "label: 11月13日送付" in output.read_text(encoding="utf-8")
    assert main(["plan", "export", "--format", "yaml", "--output", str(output), "--revision", "9"]) == 2


def test_yearly_targets_and_definition_columns_belong_to_their_indicator() -> None:
    (draft,) = _drafts(FIXTURES / "merged_other_city.xlsx")
    expected = pd.DataFrame({"indicator_code": ["1-①"], "fiscal_year": [2025], "value": [45.0]})
    pd.testing.assert_frame_equal(draft.yearly_targets, expected)
    assert draft.indicators["survey_name"].fillna("").tolist() == ["市民意識調査", "市民意識調査", ""]


def test_yearly_target_outside_the_plan_years_is_refused(tmp_path: Path) -> None:
    text = (PLAN_DIRECTORY / "2_1130.yaml").read_text(encoding="utf-8")
    old = "        target: {fiscal_year: 2025, value: 55.0}\n"
    path = tmp_path / "plan.yaml"
    path.write_text(
        text.replace(old, old + "        yearly_targets: [{fiscal_year: 2030, value: 50}]\n", 1), encoding="utf-8"
    )
    with pytest.raises(PlanError) as error:
        load_plan(path)
    assert str(error.value) == (
        "plan.yaml: 施策評価指標「1-①」の年次目標の年度（2030）が基準年度（2015）と目標年度（2025）の間にありません。"
    )


def test_what_the_file_leaves_out_comes_from_the_same_indicator_in_the_stored_plan(engine: Engine) -> None:
    current = store.read_plans(engine)[-1]
    indicators = current.indicators.copy()
    first = indicators["code"] == "1-①"
    indicators.loc[first, ["higher_is_better", "target_value", "lead_department"]] = [False, 30.0, "協働推進課"]
    stored = [dataclasses.replace(current, indicators=indicators)]
    plans = complete_drafts(_drafts(SEED), stored)
    found = plans[-1].indicators.set_index("code").loc["1-①", ["higher_is_better", "target_value", "lead_department"]]
    assert found.tolist() == [False, 30.0, "協働推進課"]
