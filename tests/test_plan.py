import re
from pathlib import Path

import pandas as pd
import pytest

from analytics import vocabulary as v
from analytics.plan import ADDED, PLAN_DIRECTORY, REWORDED, PlanError, compare_plans, load_plan, load_plans

CURRENT = PLAN_DIRECTORY / "2_1130.yaml"


@pytest.mark.parametrize(
    ("label", "counts"),
    [
        ("11月13日送付", {v.POLICY: 3, v.MEASURE: 5, v.DIRECTION: 10, v.ACTION: 21, v.INDICATOR: 10}),
        ("11月30日現在", {v.POLICY: 3, v.MEASURE: 5, v.DIRECTION: 10, v.ACTION: 21, v.INDICATOR: 11}),
    ],
)
def test_each_draft_has_the_structure_of_the_city_table(label: str, counts: dict[str, int]) -> None:
    plan = next(p for p in load_plans() if p.label == label)
    found = plan.nodes["kind"].value_counts().to_dict() | {v.INDICATOR: len(plan.indicators)}
    assert found == counts


def test_current_plan_is_the_later_draft() -> None:
    assert load_plans()[-1].label == "11月30日現在"


def test_current_plan_has_six_two_and_three_indicators_per_policy() -> None:
    indicators = load_plans()[-1].indicators
    assert indicators.groupby("policy_code").size().to_dict() == {"1": 6, "2": 2, "3": 3}


def test_count_indicator_is_an_administrative_count_in_organisations() -> None:
    indicators = load_plans()[-1].indicators.set_index("code")
    assert indicators.loc["2-②", ["respondent", "unit"]].tolist() == [v.ADMINISTRATIVE, v.ORGANISATIONS]


def test_every_shipped_baseline_and_target_is_marked_as_sample() -> None:
    assert all(plan.indicators["sample"].all() for plan in load_plans())


def test_drafts_differ_exactly_as_the_city_revised_them() -> None:
    earlier, current = load_plans()
    changes = compare_plans(earlier, current)[["kind", "code", "change"]]
    expected = pd.DataFrame(
        [
            (v.POLICY, "1", REWORDED),
            (v.POLICY, "2", REWORDED),
            (v.POLICY, "3", REWORDED),
            (v.MEASURE, "2.1", REWORDED),
            (v.MEASURE, "2.2", REWORDED),
            (v.ACTION, "1-⑨", REWORDED),
            (v.ACTION, "1-⑫", REWORDED),
            (v.INDICATOR, "2-②", ADDED),
        ],
        columns=["kind", "code", "change"],
    )
    pd.testing.assert_frame_equal(changes, expected, check_dtype=False)


def test_reworded_item_keeps_old_and_new_wording() -> None:
    changes = compare_plans(*load_plans()).set_index(["kind", "code"])
    assert changes.loc[(v.ACTION, "1-⑨"), ["old_name", "new_name"]].tolist() == [
        "自治会への加入促進",
        "自治会への加入促進、役員の役割の効率化の事例の紹介",
    ]


def test_comparing_a_draft_with_itself_finds_nothing() -> None:
    current = load_plans()[-1]
    assert compare_plans(current, current).empty


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = CURRENT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'unit: "%"',
            'unit: ""',
            "broken.yaml 16行目 の「policies[0].indicators[0].unit」: 空にはできません（値: ''）",
        ),
        (
            "        respondent: 市民\n",
            "",
            "broken.yaml 12行目 の「policies[0].indicators[0].respondent」: 必須の項目がありません",
        ),
        (
            "higher_is_better: true",
            "higher_is_better: yes please",
            "「policies[0].indicators[0].higher_is_better」: true または false",
        ),
        ("value: 42.0,", "value: 四十二,", "「policies[0].indicators[0].baseline.value」: 数値で書いてください"),
        ("code: 1-②\n", "code: 1-①\n", "broken.yaml: 施策評価指標のコード「1-①」が重複しています"),
        (
            "code: 2-①\n        name: 自治会",
            "code: 1-⑦\n        name: 自治会",
            "施策評価指標「1-⑦」は基本方針「2」の下にあります",
        ),
        ("target: {fiscal_year: 2025, value: 55.0}", "target: {fiscal_year: 2010, value: 55.0}", "目標年度（2010）"),
        ("policies:\n", "policies:\n  oops: [\n", "broken.yaml 10行目: YAML の書式が正しくありません"),
        ('  - code: "1"\n', '  - code: "1"\n    colour: red\n', "「policies[0].colour」: 使えない項目名です"),
    ],
)
def test_malformed_plan_is_refused_naming_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(PlanError, match=_literal(message)):
        load_plan(_broken(tmp_path, old, new))


def test_plan_directory_without_drafts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="計画ファイル"):
        load_plans(tmp_path)


def _literal(text: str) -> str:
    return re.escape(text)
