import pandas as pd
import pytest

from analytics import vocabulary as v
from analytics.assessment import default_year, describe_partial_years, evaluate_plan
from analytics.evaluation_settings import Settings
from analytics.plan import load_plans

INDICATORS = load_plans()[-1].indicators  # 11 indicators: half is 5.5, so a year needs 6


def _observations(counts: dict[int, int]) -> pd.DataFrame:
    """Overall values for the first `count` indicators of each year."""
    rows = [(code, year) for year, count in counts.items() for code in INDICATORS["code"].head(count)]
    frame = pd.DataFrame(rows, columns=["indicator_code", "fiscal_year"])
    return frame.assign(
        dimension=v.OVERALL,
        category=v.OVERALL,
        value=50.0,
        respondents=pd.array([1000] * len(frame), dtype="Int64"),
        note="",
        sample=False,
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({2023: 11, 2024: 11}, 2024),
        ({2023: 11, 2024: 6}, 2024),
        ({2023: 11, 2024: 5}, 2023),
        ({2023: 11, 2024: 11, 2025: 2}, 2024),
        ({2024: 3}, 2024),
        ({}, None),
    ],
)
def test_default_year_is_the_latest_with_values_for_at_least_half_the_indicators(
    counts: dict[int, int], expected: int | None
) -> None:
    assert default_year(INDICATORS, _observations(counts)) == expected


def test_evaluation_without_a_year_opens_on_the_default_year() -> None:
    result = evaluate_plan(INDICATORS, _observations({2023: 11, 2024: 11, 2025: 2}), Settings(), None, v.LINEAR)
    assert result.year == 2024
    assert result.history["fiscal_year"].max() == 2024


def test_a_newer_year_with_only_some_indicators_is_pointed_out() -> None:
    note = describe_partial_years(INDICATORS, _observations({2024: 11, 2025: 2}), 2024)
    assert note == (
        "令和7(2025)年度（2指標）の値も登録されていますが、11指標の半数に満たないため、"
        "既定ではデータのそろった年度を表示しています。サイドバーで年度を選ぶと表示できます。"
    )
    assert describe_partial_years(INDICATORS, _observations({2024: 11}), 2024) is None


def test_complete_later_years_are_not_called_partial_when_an_earlier_year_is_chosen() -> None:
    assert describe_partial_years(INDICATORS, _observations({2020: 11, 2021: 11, 2024: 6}), 2020) is None
    note = describe_partial_years(INDICATORS, _observations({2020: 11, 2021: 11, 2025: 5}), 2020)
    assert note is not None
    assert note.startswith("令和7(2025)年度（5指標）の値も")


def test_yearly_targets_set_the_path_of_the_series_and_the_chart() -> None:
    first = INDICATORS.iloc[0]
    midway = int(first["baseline_year"]) + 2
    interim = pd.DataFrame({"indicator_code": [first["code"]], "fiscal_year": [midway], "value": [48.0]})
    observations = _observations({midway: 11, midway + 1: 11})
    result = evaluate_plan(INDICATORS, observations, Settings(), midway, v.LINEAR, interim)
    history = result.history_of(first["code"])
    assert history[["fiscal_year", "expected", "path"]].to_dict("records") == [
        {"fiscal_year": midway, "expected": 48.0, "path": v.PATH_YEARLY_TARGET}
    ]
    assert result.indicators["yearly_targets"].iloc[0] == ((midway, 48.0),)
    assert set(result.indicators["yearly_targets"].iloc[1:]) == {()}
