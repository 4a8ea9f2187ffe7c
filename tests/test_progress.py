"""Progress towards a target: 進捗率, expected paths, the Open SDG growth ratio and the grading thresholds."""

import numpy as np
import pandas as pd
import pytest

from analytics import vocabulary as v
from analytics.progress import (
    TargetError,
    check_targets,
    compound_expected,
    elapsed_share,
    grade,
    growth_ratio,
    linear_expected,
    linear_pace,
    progress_rate,
    target_met,
)


@pytest.mark.parametrize(
    ("value", "baseline", "target", "expected"),
    [
        (48.5, 42.0, 55.0, 50.0),  # (48.5 − 42) / (55 − 42) = 6.5 / 13 = 50%
        (55.0, 42.0, 55.0, 100.0),  # at the target
        (40.0, 42.0, 55.0, -15.384615),  # −2 / 13: below the baseline
        (25.0, 30.0, 20.0, 50.0),  # lower is better: −5 / −10 = 50%
        (31.0, 30.0, 20.0, -10.0),  # lower is better, worse than baseline: 1 / −10
    ],
)
def test_progress_rate_is_share_of_the_way_from_baseline_to_target(value, baseline, target, expected):
    assert progress_rate(value, baseline, target) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2015, 0.0),  # baseline year
        (2020, 0.5),  # (2020 − 2015) / (2025 − 2015)
        (2025, 1.0),  # target year
        (2027, 1.0),  # after the plan: the expected value stays at the target
        (2013, 0.0),  # before the baseline
    ],
)
def test_elapsed_share_runs_from_zero_at_baseline_to_one_at_target(year, expected):
    assert elapsed_share(year, 2015, 2025) == pytest.approx(expected)


def test_linear_expected_value_lies_on_the_straight_line():
    # 42 + (55 − 42) × 0.5 = 48.5; lower is better: 30 + (20 − 30) × 0.3 = 27
    np.testing.assert_allclose(linear_expected([0.5, 0.3], [42.0, 30.0], [55.0, 20.0]), [48.5, 27.0])


def test_linear_pace_is_actual_over_expected_progress_and_undefined_at_baseline():
    # 45% of the way when 50% was expected: 45 / 50 = 90%; nothing is expected at the baseline year
    np.testing.assert_allclose(linear_pace([45.0, 10.0], [0.5, 0.0]), [90.0, np.nan])


def test_compound_expected_value_grows_at_a_constant_rate():
    # 40 × (90 / 40)^0.5 = 40 × 1.5 = 60
    np.testing.assert_allclose(compound_expected(0.5, 40.0, 90.0), 60.0)


@pytest.mark.parametrize(
    ("value", "year", "baseline", "target", "higher_is_better", "expected"),
    [
        # CAGR actual = (60/40)^(1/5) − 1 = 0.084472; required = (90/40)^(1/10) − 1 = 0.084472; R = 1
        (60.0, 2020, 40.0, 90.0, True, 100.0),
        # actual = 1.25^(1/5) − 1 = 0.045640; R = 0.045640 / 0.084472 = 0.540294 (Open SDG: limited progress)
        (50.0, 2020, 40.0, 90.0, True, 54.029354),
        # actual = 0.9^(1/5) − 1 = −0.020851; R = −0.020851 / 0.084472 = −0.246847 (deterioration)
        (36.0, 2020, 40.0, 90.0, True, -24.684741),
        # lower is better, 40 → 10: actual = 0.5^(1/5) − 1 = −0.129449; required = 0.25^(1/10) − 1 = −0.129449;
        # R = −1 × (−0.129449) / |−0.129449| = 1
        (20.0, 2020, 40.0, 10.0, False, 100.0),
        # lower is better but rising: actual = 1.25^(1/5) − 1 = 0.045640; R = −0.045640 / 0.129449 = −0.352567
        (50.0, 2020, 40.0, 10.0, False, -35.256664),
    ],
)
def test_growth_ratio_matches_the_open_sdg_formula(value, year, baseline, target, higher_is_better, expected):
    assert growth_ratio(value, year, baseline, 2015, target, 2025, higher_is_better) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "year"),
    [
        (45.0, 2015),  # a single point at the baseline year: no growth to measure
        (0.0, 2020),  # a growth rate from or to zero does not exist
    ],
)
def test_growth_ratio_is_undefined_without_two_points_or_with_zero(value, year):
    assert np.isnan(growth_ratio(value, year, 40.0, 2015, 90.0, 2025, True))


@pytest.mark.parametrize(
    ("value", "target", "higher_is_better", "expected"),
    [
        (55.0, 55.0, True, True),
        (54.9, 55.0, True, False),
        (20.0, 20.0, False, True),
        (20.1, 20.0, False, False),
        (np.nan, 55.0, True, False),
    ],
)
def test_target_met_respects_direction(value, target, higher_is_better, expected):
    assert bool(target_met(value, target, higher_is_better)) is expected


@pytest.mark.parametrize(
    ("pace", "achieved", "expected"),
    [
        (120.0, False, v.ON_TRACK),
        (95.0, False, v.ON_TRACK),  # edge: ≥ 95 is 順調
        (94.999999999999, False, v.ON_TRACK),  # 95 computed with floating-point error
        (94.99, False, v.SLIGHTLY_BEHIND),
        (60.0, False, v.SLIGHTLY_BEHIND),  # edge: ≥ 60 is やや遅れ
        (59.99, False, v.BEHIND),
        (0.0, False, v.BEHIND),  # edge: exactly at the baseline is 遅れ, not 悪化
        (-0.01, False, v.WORSENED),
        (np.nan, False, v.NO_DATA),
        (10.0, True, v.ACHIEVED),  # target met wins over a slow pace
        (np.nan, True, v.ACHIEVED),
    ],
)
def test_grade_applies_default_thresholds_at_their_edges(pace, achieved, expected):
    assert grade([pace], [achieved], 95.0, 60.0)[0] == expected


def test_grade_is_a_categorical_ordered_best_to_worst():
    graded = grade([100.0, -5.0], [False, False], 95.0, 60.0)
    assert list(graded.categories) == list(v.STATUSES)
    assert graded[0] < graded[1]


def _indicator(code: str, baseline: float, target: float, higher_is_better: bool = True) -> dict:
    return {"code": code, "baseline_value": baseline, "target_value": target, "higher_is_better": higher_is_better}


def test_baseline_equal_to_target_is_a_clear_error_naming_the_indicator():
    indicators = pd.DataFrame([_indicator("1-①", 42.0, 55.0), _indicator("2-③", 40.0, 40.0)])
    with pytest.raises(TargetError, match="指標「2-③」（40）は基準値と目標値が同じ"):
        check_targets(indicators)


def test_target_error_is_a_value_error():
    assert issubclass(TargetError, ValueError)


def test_target_on_the_wrong_side_of_the_baseline_is_an_error():
    indicators = pd.DataFrame([_indicator("3-①", 55.0, 50.0, higher_is_better=True)])
    with pytest.raises(TargetError, match="「3-①」は「高いほど良い」指標ですが、目標値（50）が基準値（55）より悪い側"):
        check_targets(indicators)


def test_consistent_targets_pass_in_both_directions():
    check_targets(pd.DataFrame([_indicator("1-①", 42.0, 55.0), _indicator("1-②", 30.0, 20.0, False)]))
