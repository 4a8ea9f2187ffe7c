from dataclasses import replace

import pandas as pd
import pytest

from analytics import vocabulary as v
from analytics.plan import load_plans
from analytics.presentation import (
    describe_value,
    format_value,
    mark_wording_changes,
    outline_policy,
    render_status_tiles,
    tabulate_history,
    tabulate_indicators,
    worst_first,
)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (45.25, "%", "45.2%"),
        (45.0, "%", "45.0%"),
        (1234, "団体", "1,234団体"),
        (149.84, "団体", "149.8団体"),
        (None, "%", "—"),
    ],
)
def test_values_are_shown_with_their_unit(value: float, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_policy_outline_lists_measures_directions_and_actions_in_plan_order() -> None:
    assert outline_policy(load_plans()[-1], "3") == (
        "- **基本施策** 市民公益活動や協働に対する意識啓発の仕組みづくり\n"
        "    - **施策の方向** 市民等の意識の向上\n"
        "        - ① 講座やイベントを通じた市民等の意識の醸成とフォローアッププログラムの提供\n"
        "    - **施策の方向** 市職員の意識の向上\n"
        "        - ② 職員の「参画と協働」に対する意識の向上\n"
        "        - ③ 参画と協働に関連する情報の庁内での共有"
    )


def test_indicator_table_shows_who_answers_and_baseline_and_target_with_era_years() -> None:
    table = tabulate_indicators(load_plans()[-1], "2")
    assert table.to_dict("records")[1] == {
        "指標": "2-②",
        "指標名": "地域分権制度適用地域の主要な団体数",
        "回答者": "業務統計",
        "基準値": "120団体（平成27(2015)年度）",
        "目標値": "150団体（令和7(2025)年度）",
    }


def test_lower_is_better_is_spelt_out_next_to_the_target() -> None:
    plan = load_plans()[-1]
    indicators = plan.indicators.assign(higher_is_better=plan.indicators["code"] != "1-①")
    table = tabulate_indicators(replace(plan, indicators=indicators), "1")
    assert table.loc[0, "目標値"] == "55.0%（令和7(2025)年度）（低いほど良い）"
    assert table.loc[1, "目標値"] == "60.0%（令和7(2025)年度）"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "自治会への加入促進",
            "自治会への加入促進、役員",
            ("自治会への加入促進", "自治会への加入促進<ins>、役員</ins>"),
        ),
        ("事務局員への支援", "事務局員の支援", ("事務局員<del>へ</del>の支援", "事務局員の支援")),
        ("", "地域分権制度", ("", "<ins>地域分権制度</ins>")),
        ("a<b", "a<c", ("a&lt;<del>b</del>", "a&lt;<ins>c</ins>")),
    ],
)
def test_wording_changes_are_marked_character_by_character(old: str, new: str, expected: tuple[str, str]) -> None:
    assert mark_wording_changes(old, new) == expected


@pytest.mark.parametrize(
    ("value", "unit", "margin", "n", "expected"),
    [
        (53.4, "%", 2.815, 1202, "53.4% ±2.8pt（n=1,202）"),
        (53.4, "%", float("nan"), None, "53.4%（回答者数（n）がないため誤差を計算できません）"),
        (147.0, "団体", 0.0, None, "147団体"),
        (float("nan"), "%", float("nan"), None, "—"),
    ],
)
def test_value_is_described_with_its_margin_of_error(value, unit, margin, n, expected) -> None:
    assert describe_value(value, unit, margin, n) == expected


def test_history_table_says_whether_each_change_is_beyond_sampling_error() -> None:
    history = pd.DataFrame(
        {
            "fiscal_year": [2023, 2024],
            "unit": "%",
            "value": [20.9, 16.0],
            "respondents": pd.array([700, 700], dtype="Int64"),
            "margin": [3.0, 2.7],
            "change": [float("nan"), -4.9],
            "change_significant": [False, True],
            "progress_rate": [94.0, 16.0],
            "gap": [-0.4, -5.3],
            "gap_significant": pd.array([False, True], dtype="boolean"),
            "status": [v.ON_TRACK, v.BEHIND],
        }
    )
    expected = pd.DataFrame(
        {
            "年度": ["令和5(2023)年度", "令和6(2024)年度"],
            "値": ["20.9%", "16.0%"],
            "回答者数": ["700", "700"],
            "誤差(95%)": ["±3.0pt", "±2.7pt"],
            "前年度からの変化": ["—", "−4.9pt"],
            "変化の判定": ["—", "誤差を超える"],
            "進捗率": ["94%", "16%"],
            "計画線との差": ["−0.4pt（誤差の範囲）", "−5.3pt（誤差を超える）"],
            "状況": ["○ 順調", "▲ 遅れ"],
        }
    )
    pd.testing.assert_frame_equal(tabulate_history(history, 2015), expected)


def test_count_changes_are_not_judged_against_sampling_error() -> None:
    history = pd.DataFrame(
        {
            "fiscal_year": [2023, 2024],
            "unit": "団体",
            "value": [144.0, 147.0],
            "respondents": pd.array([None, None], dtype="Int64"),
            "margin": [0.0, 0.0],
            "change": [4.0, 3.0],
            "change_significant": [True, True],
            "progress_rate": [80.0, 90.0],
            "gap": [-1.0, -2.0],
            "gap_significant": pd.array([False, True], dtype="boolean"),
            "status": [v.ON_TRACK, v.SLIGHTLY_BEHIND],
        }
    )
    table = tabulate_history(history, 2015)
    assert table["前年度からの変化"].tolist() == ["+4.0団体", "+3.0団体"]
    assert table["変化の判定"].tolist() == ["—", "—"]
    assert table["誤差(95%)"].tolist() == ["（件数のため誤差なし）"] * 2
    assert table["計画線との差"].tolist() == ["−1.0団体（許容差の範囲）", "−2.0団体（許容差を超える）"]


def test_status_tiles_show_every_status_with_its_count() -> None:
    tiles = render_status_tiles(pd.Series({v.ON_TRACK: 4, v.BEHIND: 2}))
    assert '○ 順調</div><div class="count">4<span>' in tiles
    assert '－ データなし</div><div class="count">0<span>' in tiles
    assert tiles.count('class="tile"') == len(v.STATUSES)


def test_worst_status_comes_first_and_no_data_just_after_worsened() -> None:
    statuses = pd.Categorical(
        [v.ACHIEVED, v.BEHIND, v.NO_DATA, v.WORSENED, v.ON_TRACK], categories=list(v.STATUSES), ordered=True
    )
    evaluated = pd.DataFrame({"code": ["a", "b", "c", "d", "e"], "status": statuses})
    assert worst_first(evaluated)["code"].tolist() == ["d", "c", "b", "e", "a"]
