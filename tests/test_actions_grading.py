"""The suggested 一次評価 rule and the [actions] settings it reads."""

from pathlib import Path

import pytest

from analytics.actions.grading import Suggestion, suggest_grade
from analytics.actions.settings import ActionSettings, load_action_settings
from analytics.evaluation_settings import SettingsError

DONE, PLANNED, PARTLY, NOT_DONE = ActionSettings().scale


@pytest.mark.parametrize(
    ("indicators", "actions", "expected"),
    [
        (
            ["achieved", "on_track"],
            [DONE, PLANNED],
            Suggestion(
                "A", "指標 2 件中 2 件が順調以上、取組項目 2 件中 2 件が○ 計画どおり以上（平均 100%）のため A 順調。"
            ),
        ),
        (
            ["on_track", "slightly_behind"],
            [PLANNED, PLANNED, PLANNED, PARTLY],
            Suggestion(
                "B",
                "指標 2 件中 1 件が順調以上、取組項目 4 件中 3 件が○ 計画どおり以上（平均 62%）のため B おおむね順調。",
            ),
        ),
        (
            ["behind", "no_data"],
            [PLANNED, PARTLY],
            Suggestion(
                "D", "指標 1 件中 0 件が順調以上、取組項目 2 件中 1 件が○ 計画どおり以上（平均 25%）のため D 遅れ。"
            ),
        ),
        (
            [],
            [PLANNED, PARTLY],
            Suggestion("C", "取組項目 2 件中 1 件が○ 計画どおり以上（割合 50%）のため C やや遅れ。"),
        ),
        (
            ["worsened", "on_track"],
            [],
            Suggestion("C", "指標 2 件中 1 件が順調以上（割合 50%）のため C やや遅れ。"),
        ),
        (
            ["no_data"],
            ["未報告"],
            Suggestion("", "判定できる指標も、実施状況の報告がある取組項目もないため、一次評価を提案できません。"),
        ),
    ],
)
def test_the_suggested_grade_follows_the_rule_and_says_why(
    indicators: list[str], actions: list[str], expected: Suggestion
) -> None:
    assert suggest_grade(indicators, actions, ActionSettings()) == expected


def test_the_grade_threshold_itself_gives_the_better_grade() -> None:
    assert suggest_grade([], [PLANNED, PLANNED, PLANNED, PLANNED, NOT_DONE], ActionSettings()).grade == "A"


def test_the_city_scale_and_thresholds_come_from_the_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.toml"
    path.write_text('[actions]\nscale = ["A 完了", "B 実施中", "C 未着手"]\ngood = 1\ngrade_a = 90\n', encoding="utf-8")
    assert load_action_settings(path) == ActionSettings(("A 完了", "B 実施中", "C 未着手"), 1, 90.0, 60.0, 40.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[actions]\ngood = 4\n", "evaluation.toml の「actions.good」: 1 から 3 までの整数にしてください。"),
        (
            "[actions]\ngrade_b = 90\n",
            "evaluation.toml の「actions.grade_a / grade_b / grade_c」: 100 以下で大きい順（例: 80, 60, 40）にしてください。",
        ),
        (
            "[actions]\nscal = []\n",
            "evaluation.toml の [actions] に知らない項目「scal」があります。綴りを確かめてください。",
        ),
    ],
)
def test_settings_that_make_no_sense_are_refused_with_the_fix(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "evaluation.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_action_settings(path)
    assert str(error.value) == message
