from dataclasses import replace

import pandas as pd
import pytest

from analytics.plan import load_plans
from analytics.presentation import format_value, outline_policy, tabulate_indicators, tabulate_latest_values


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [(45.25, "%", "45.2%"), (45.0, "%", "45.0%"), (1234, "団体", "1,234団体"), (None, "%", "—")],
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


def test_latest_value_is_the_newest_overall_figure_with_its_year_and_n() -> None:
    indicators = load_plans()[-1].indicators
    observations = pd.DataFrame(
        {
            "indicator_code": ["1-①", "1-①", "1-①", "2-②"],
            "fiscal_year": [2023, 2024, 2024, 2024],
            "dimension": ["", "", "年代", ""],
            "category": ["", "", "20代", ""],
            "value": [50.0, 51.5, 40.0, 147.0],
            "respondents": pd.array([1200, 1180, 90, None], dtype="Int64"),
        }
    )
    table = tabulate_latest_values(indicators, observations).set_index("指標")
    assert table.loc["1-①", ["最新年度", "値", "回答者数"]].tolist() == ["令和6(2024)年度", "51.5%", "1,180人"]
    assert table.loc["2-②", ["値", "回答者数"]].tolist() == ["147団体", "（業務統計）"]
    assert table.loc["3-③", ["最新年度", "値", "回答者数"]].tolist() == ["—", "—", "不明"]
