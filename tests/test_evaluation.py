"""Evaluation entry points: statuses, flags with their reasons, 誤差の範囲, breakdowns and the roll-up."""

import numpy as np
import pandas as pd
import pytest

from analytics import vocabulary as v
from analytics.evaluation import (
    evaluate_breakdowns,
    evaluate_indicators,
    evaluate_observations,
    summarise_statuses,
)
from analytics.evaluation_settings import DesignEffects, Settings
from analytics.progress import TargetError, attach_yearly_targets
from analytics.sampling import wilson_interval, wilson_margin
from analytics.schemas import IndicatorFrame, ObservationFrame

SETTINGS = Settings()
POINT = Settings(status_rule=v.POINT)
STATUS = pd.CategoricalDtype(list(v.STATUSES), ordered=True)


def plan(*indicators: dict) -> pd.DataFrame:
    return IndicatorFrame.validate(pd.DataFrame([{**row, "position": i} for i, row in enumerate(indicators)]))


def indicator(
    code: str,
    baseline: float = 40.0,
    target: float = 60.0,
    *,
    higher_is_better: bool = True,
    respondent: str = v.CITIZEN,
    unit: str = v.PERCENT,
) -> dict:
    """An indicator with baseline FY2015 and target FY2025, so FY2020 is halfway along the plan."""
    return {
        "code": code,
        "policy_code": code.split("-")[0],
        "name": f"指標{code}",
        "respondent": respondent,
        "unit": unit,
        "higher_is_better": higher_is_better,
        "baseline_year": 2015,
        "baseline_value": baseline,
        "target_year": 2025,
        "target_value": target,
        "sample": True,
    }


def observations(*rows: tuple) -> pd.DataFrame:
    """Rows of (code, year, value, n) or (code, year, value, n, dimension, category); n None = missing."""
    records = [
        {
            "indicator_code": row[0],
            "fiscal_year": row[1],
            "value": row[2],
            "respondents": row[3],
            "dimension": row[4] if len(row) > 4 else v.OVERALL,
            "category": row[5] if len(row) > 5 else v.OVERALL,
            "note": "",
            "sample": True,
        }
        for row in rows
    ]
    frame = pd.DataFrame(records, columns=list(ObservationFrame.to_schema().columns))
    return ObservationFrame.validate(frame.astype({"respondents": "Int64"}))


def _wilson_half(share: float, n: float) -> float:
    return float(wilson_margin(share, n)) * 100


def one(evaluated: pd.DataFrame, code: str) -> pd.Series:
    return evaluated.set_index("code").loc[code]


def test_linear_method_grades_every_status_at_its_threshold_edges():
    # Baseline 40 (FY2015) → target 60 (FY2025): FY2020 expects 50, i.e. 50% of the way.
    # 進捗率 = (value − 40) / 20 × 100; pace = 進捗率 / 50 × 100.
    indicators = plan(
        indicator("1-a"),
        indicator("1-b"),
        indicator("1-c"),
        indicator("1-d"),
        indicator("1-e"),
        indicator("1-f"),
        indicator("1-g"),
        indicator("1-h"),
        indicator("1-i"),
        indicator("2-a", 30.0, 20.0, higher_is_better=False),
        indicator("2-b", 30.0, 20.0, higher_is_better=False),
        indicator("2-c", 30.0, 20.0, higher_is_better=False),
    )
    values = {"1-a": 61.0, "1-b": 50.0, "1-c": 49.5, "1-d": 49.4, "1-e": 46.0, "1-f": 45.9, "1-g": 40.0}
    values |= {"1-h": 39.9, "2-a": 25.5, "2-b": 31.0, "2-c": 19.5}
    # The point rule grades on the value alone, so every threshold edge shows (the evidence rule is tested below).
    evaluated = evaluate_indicators(
        indicators, observations(*((code, 2020, value, 1000) for code, value in values.items())), POINT
    )
    expected = pd.DataFrame(
        {
            "code": ["1-a", "1-b", "1-c", "1-d", "1-e", "1-f", "1-g", "1-h", "1-i", "2-a", "2-b", "2-c"],
            "year": pd.array([2020] * 8 + [None] + [2020] * 3, dtype="Int64"),
            "value": [61.0, 50.0, 49.5, 49.4, 46.0, 45.9, 40.0, 39.9, np.nan, 25.5, 31.0, 19.5],
            # 40 + 20 × 0.5 = 50; lower is better: 30 − 10 × 0.5 = 25
            "expected": [50.0] * 8 + [np.nan] + [25.0] * 3,
            # e.g. 1-c: 9.5 / 20 = 47.5%; 2-a: (25.5 − 30) / (20 − 30) = 45%
            "progress_rate": [105.0, 50.0, 47.5, 47.0, 30.0, 29.5, 0.0, -0.5, np.nan, 45.0, -10.0, 105.0],
            # e.g. 1-c: 47.5 / 50 = 95% (edge of 順調); 1-e: 30 / 50 = 60% (edge of やや遅れ); 2-a: 45 / 50 = 90%
            "pace": [210.0, 100.0, 95.0, 94.0, 60.0, 59.0, 0.0, -1.0, np.nan, 90.0, -20.0, 210.0],
            "status": pd.Categorical(
                [
                    v.ACHIEVED,
                    v.ON_TRACK,
                    v.ON_TRACK,
                    v.SLIGHTLY_BEHIND,
                    v.SLIGHTLY_BEHIND,
                    v.BEHIND,
                    v.BEHIND,
                    v.WORSENED,
                    v.NO_DATA,
                    v.SLIGHTLY_BEHIND,
                    v.WORSENED,
                    v.ACHIEVED,
                ],
                dtype=STATUS,
            ),
        }
    )
    pd.testing.assert_frame_equal(evaluated[expected.columns], expected, check_dtype=False, atol=1e-9)


def test_growth_rate_method_grades_by_the_ratio_of_growth_rates():
    # Baseline 40 (FY2015) → target 90 (FY2025): required CAGR = 2.25^(1/10) − 1 = 0.084472.
    indicators = plan(
        indicator("1-a", 40.0, 90.0),
        indicator("1-b", 40.0, 90.0),
        indicator("1-c", 40.0, 90.0),
        indicator("1-d", 40.0, 90.0),
        indicator("1-e", 40.0, 90.0),
        indicator("2-a", 40.0, 10.0, higher_is_better=False),
    )
    data = observations(
        ("1-a", 2020, 60.0, 1000),
        ("1-b", 2020, 55.0, 1000),
        ("1-c", 2020, 50.0, 1000),
        ("1-d", 2020, 36.0, 1000),
        ("1-e", 2020, 91.0, 1000),
        ("2-a", 2020, 20.0, 1000),
    )
    evaluated = evaluate_indicators(indicators, data, SETTINGS, method=v.CAGR)
    expected = pd.DataFrame(
        {
            "code": ["1-a", "1-b", "1-c", "1-d", "1-e", "2-a"],
            # constant growth: 40 × 2.25^0.5 = 60; lower is better: 40 × 0.25^0.5 = 20
            "expected": [60.0] * 5 + [20.0],
            "pace": [
                100.0,  # (60/40)^(1/5) − 1 = 0.084472 = required: R = 1
                77.851755,  # (55/40)^(1/5) − 1 = 0.065763; 0.065763 / 0.084472 = 0.778518
                54.029354,  # (50/40)^(1/5) − 1 = 0.045640; 0.045640 / 0.084472 = 0.540294
                -24.684741,  # (36/40)^(1/5) − 1 = −0.020851; −0.020851 / 0.084472 = −0.246847
                211.527461,  # (91/40)^(1/5) − 1 = 0.178681; / 0.084472 = 2.115275, but the target is met: 達成
                100.0,  # (20/40)^(1/5) − 1 = −0.129449 = required; R = −1 × −0.129449 / 0.129449 = 1
            ],
            "status": pd.Categorical(
                [v.ON_TRACK, v.SLIGHTLY_BEHIND, v.BEHIND, v.WORSENED, v.ACHIEVED, v.ON_TRACK], dtype=STATUS
            ),
        }
    )
    pd.testing.assert_frame_equal(evaluated[expected.columns], expected, atol=1e-6)


def test_method_comes_from_the_settings_unless_given():
    indicators = plan(indicator("1-a", 40.0, 90.0))
    data = observations(("1-a", 2020, 55.0, 1000))
    # linear: (55 − 40) / 50 = 30% of the way, 50% expected → pace 60; growth rate: 77.85
    assert one(evaluate_indicators(indicators, data, SETTINGS), "1-a")["pace"] == pytest.approx(60.0)
    cagr = Settings(method=v.CAGR)
    assert one(evaluate_indicators(indicators, data, cagr), "1-a")["pace"] == pytest.approx(77.851755)


def test_status_is_behind_with_a_flag_when_gap_exceeds_margin():
    # FY2020 expects 50; 45.9 is 4.1 below. Wilson interval at p = 0.459, n = 1,000 is [42.82, 49.00]:
    # ±3.08 on average, but 3.10 on the upper side, the side towards the path, which is the one compared.
    evaluated = evaluate_indicators(plan(indicator("1-a")), observations(("1-a", 2020, 45.9, 1000)), SETTINGS)
    row = one(evaluated, "1-a")
    assert row["status"] == v.BEHIND  # 5.9 / 20 = 29.5% of the way, 59% of the pace
    assert row["margin"] == pytest.approx(3.082664, abs=1e-6)
    assert row["gap_margin"] == pytest.approx(48.998353 - 45.9, abs=1e-6)
    assert row["flags"] == [v.BEHIND_PATH]
    assert row["reasons"] == ["目標達成ペースを下回る（差 −4.1pt、誤差 3.1pt を超える）"]
    # At the upper limit 49.0 the pace would be 90%: やや遅れ is as consistent with the data as 遅れ.
    assert row["status_range"] == "誤差を考えると △ やや遅れ の可能性あり"
    assert row["notes"] == ["誤差を考えると △ やや遅れ の可能性あり"]
    assert row["within_error"] == ""


@pytest.mark.parametrize(
    ("settings", "status", "flags", "reasons", "notes"),
    [
        (
            SETTINGS,
            v.ON_TRACK,
            [],
            [],
            [
                "誤差を考えると △ やや遅れ、▲ 遅れ の可能性あり",
                "目標達成ペースとの差は誤差の範囲（差 −2.0pt、誤差 3.1pt 以内）",
            ],
        ),
        (
            POINT,
            v.SLIGHTLY_BEHIND,
            [v.BEHIND_PATH],
            ["目標達成ペースを下回る（差 −2.0pt、誤差の範囲内ですが、点推定で判定する設定です）"],
            ["誤差を考えると ○ 順調、▲ 遅れ の可能性あり"],
        ),
    ],
)
def test_gap_inside_the_margin_is_on_track_under_the_evidence_rule_and_always_explained(
    settings, status, flags, reasons, notes
):
    # 48.0 against an expected 50: 8 / 20 = 40% of the way, 80% of the pace, but the 2.0-point gap is inside
    # the interval's upper side (3.10 at p = 0.48, n = 1,000).
    row = one(evaluate_indicators(plan(indicator("1-a")), observations(("1-a", 2020, 48.0, 1000)), settings), "1-a")
    assert (row["status"], row["flags"], row["reasons"], row["notes"]) == (status, flags, reasons, notes)


def test_baseline_sampling_error_widens_the_gap_margin():
    # 46.5 against an expected 50 (n = 1,000, upper side 3.09): beyond error with an exact baseline, but a
    # baseline of 40% from n = 500 moves the path by half its own lower side (0.5 × 4.36) and that is enough.
    exact = one(evaluate_indicators(plan(indicator("1-a")), observations(("1-a", 2020, 46.5, 1000)), SETTINGS), "1-a")
    surveyed = plan({**indicator("1-a"), "baseline_respondents": 500})
    row = one(evaluate_indicators(surveyed, observations(("1-a", 2020, 46.5, 1000)), SETTINGS), "1-a")
    assert exact["status"] == v.SLIGHTLY_BEHIND
    value_high = wilson_interval(0.465, 1000)[1] * 100
    baseline_low = wilson_interval(0.40, 500)[0] * 100
    assert row["gap_margin"] == pytest.approx(np.hypot(value_high - 46.5, 0.5 * (40 - baseline_low)), abs=1e-9)
    assert row["status"] == v.ON_TRACK
    assert row["flags"] == []


def test_design_effect_and_finite_population_correction_change_the_margin():
    # n = 800 of a staff of 1,000: the correction (1000 − 800) / 999 leaves an effective n of 3,996;
    # a design effect of 2 halves the effective n of the citizen survey.
    indicators = plan({**indicator("3-a", respondent=v.STAFF), "population": 1000}, indicator("1-a"), indicator("1-b"))
    data = observations(("3-a", 2020, 50.0, 800), ("1-a", 2020, 50.0, 800), ("1-b", 2020, 50.0, 400))
    settings = Settings(design_effect=DesignEffects(citizen=2.0))
    margins = evaluate_indicators(indicators, data, settings).set_index("code")["margin"]
    reference = evaluate_indicators(indicators, data, SETTINGS).set_index("code")["margin"]
    assert margins["3-a"] == pytest.approx(_wilson_half(0.5, 800 / (200 / 999)), abs=1e-9)
    assert reference["1-a"] == pytest.approx(_wilson_half(0.5, 800), abs=1e-9)
    assert margins["1-a"] == pytest.approx(reference["1-b"], abs=1e-12)


def test_missing_n_gives_no_margin_says_so_and_still_flags_with_a_caveat():
    evaluated = evaluate_indicators(plan(indicator("1-a")), observations(("1-a", 2020, 45.9, None)), SETTINGS)
    row = one(evaluated, "1-a")
    assert np.isnan(row["margin"])
    assert pd.isna(row["gap_significant"])
    assert row["flags"] == [v.BEHIND_PATH]
    assert row["reasons"] == ["目標達成ペースを下回る（差 −4.1pt、n がないため誤差の範囲か判定できません）"]
    assert row["notes"] == [v.ERROR_UNKNOWN]


def test_administrative_count_has_no_sampling_error():
    # 団体: baseline 120 → target 150, FY2020 expects 135; 133 is 2 below and no sampling can explain it.
    indicators = plan(indicator("2-a", 120.0, 150.0, respondent=v.ADMINISTRATIVE, unit=v.ORGANISATIONS))
    row = one(evaluate_indicators(indicators, observations(("2-a", 2020, 133.0, None)), SETTINGS), "2-a")
    assert (row["margin"], row["interval_low"], row["interval_high"]) == (0.0, 133.0, 133.0)
    assert row["progress_rate"] == pytest.approx(43.333333)  # 13 / 30
    assert row["status"] == v.SLIGHTLY_BEHIND  # 43.3 / 50 = 86.7% of the pace
    assert row["reasons"] == ["目標達成ペースを下回る（差 −2団体、許容差 1団体 を超える）"]
    assert row["notes"] == []


def test_count_shortfall_within_the_tolerance_is_on_track_without_a_flag():
    # 134 is one organisation short of 135: the default tolerance is one unit.
    indicators = plan(indicator("2-a", 120.0, 150.0, respondent=v.ADMINISTRATIVE, unit=v.ORGANISATIONS))
    row = one(evaluate_indicators(indicators, observations(("2-a", 2020, 134.0, None)), SETTINGS), "2-a")
    assert (row["status"], row["flags"]) == (v.ON_TRACK, [])
    assert row["notes"] == [
        "許容差を考えると △ やや遅れ の可能性あり",
        "目標達成ペースとの差は許容差の範囲（差 −1団体、許容差 1団体 以内）",
    ]
    strict = Settings(count_tolerance=0.0)
    row = one(evaluate_indicators(indicators, observations(("2-a", 2020, 134.0, None)), strict), "2-a")
    assert (row["status"], row["flags"]) == (v.SLIGHTLY_BEHIND, [v.BEHIND_PATH])


def test_significant_dip_is_flagged_with_the_change_and_its_margin():
    # Baseline 30 → 48: every value is ahead of the path and the trend reaches the target;
    # only the drop 50 → 45 remains: margin 1.96 × √(0.25/1000 + 0.2475/1000) = ±4.37, so −5.0 is beyond it.
    indicators = plan(indicator("1-a", 30.0, 48.0))
    data = observations(("1-a", 2018, 44.0, 1000), ("1-a", 2019, 50.0, 1000), ("1-a", 2020, 45.0, 1000))
    row = one(evaluate_indicators(indicators, data, SETTINGS), "1-a")
    assert row["status"] == v.ON_TRACK
    assert row["change_significant"]
    assert row["flags"] == [v.WORSE_THAN_PREVIOUS]
    assert row["reasons"] == ["前回（令和元(2019)年度）から低下（−5.0pt、誤差 ±4.4pt を超える）"]
    assert row["within_error"] == ""


def test_insignificant_dip_is_not_flagged_but_shown_as_within_error():
    # 50 → 48: margin 1.96 × √(0.25/1000 + 0.2496/1000) = ±4.38 is wider than the 2.0-point drop.
    indicators = plan(indicator("1-a", 30.0, 48.0))
    data = observations(("1-a", 2018, 44.0, 1000), ("1-a", 2019, 50.0, 1000), ("1-a", 2020, 48.0, 1000))
    row = one(evaluate_indicators(indicators, data, SETTINGS), "1-a")
    assert not row["change_significant"]
    assert row["flags"] == []
    assert row["within_error"] == v.WITHIN_ERROR
    assert row["notes"] == ["前回（令和元(2019)年度）からの変化 −2.0pt は誤差の範囲（誤差 ±4.4pt）"]


def test_a_rise_is_the_bad_change_when_lower_is_better():
    # Baseline 40 → target 20: FY2020 expects 30, and 30 is on the path; 25 → 30 is a rise of 5 against
    # a margin of 1.96 × √(0.1875/1000 + 0.21/1000) = ±3.91. The trend (35, 28, 25, 30) still reaches 20.
    indicators = plan(indicator("1-a", 40.0, 20.0, higher_is_better=False))
    data = observations(
        ("1-a", 2017, 35.0, 1000), ("1-a", 2018, 28.0, 1000), ("1-a", 2019, 25.0, 1000), ("1-a", 2020, 30.0, 1000)
    )
    row = one(evaluate_indicators(indicators, data, SETTINGS), "1-a")
    assert row["status"] == v.ON_TRACK
    assert row["reasons"] == ["前回（令和元(2019)年度）から上昇（+5.0pt、誤差 ±3.9pt を超える）"]


def test_trend_projecting_a_miss_beyond_its_error_is_flagged_with_the_projected_value():
    # Flat at 50% FY2016–2020 (on the path in FY2020) projects 50 for FY2025, 10 short of 60.
    # Years from 2025: −9…−5, mean −7, Sxx = 10; weights at 2025: 1/5 + 7(x − x̄)/10 = −1.2, −0.5, 0.2, 0.9, 1.6;
    # Σw² = 5.1; each σ² = 0.25/1000 × 100² = 2.5; margin = 1.959964 × √(5.1 × 2.5) = ±6.998.
    data = observations(*(("1-a", year, 50.0, 1000) for year in range(2016, 2021)))
    row = one(evaluate_indicators(plan(indicator("1-a")), data, SETTINGS), "1-a")
    assert (row["projected_value"], row["projected_margin"]) == pytest.approx((50.0, 6.998471), abs=1e-6)
    assert row["flags"] == [v.PROJECTED_MISS]
    assert row["reasons"] == [
        "これまでの傾向では令和7(2025)年度に 50.0% の見込みで、目標 60.0% に届かない（差 −10.0pt、誤差 ±7.0pt を超える）"
    ]


def test_projected_shortfall_inside_its_error_is_shown_as_within_error():
    # Same flat 50%, target 55: 5 short, inside ±7.0. (FY2020 expects 47.5, so 50 is 2.5 ahead of the path.)
    data = observations(*(("1-a", year, 50.0, 1000) for year in range(2016, 2021)))
    row = one(evaluate_indicators(plan(indicator("1-a", 40.0, 55.0)), data, SETTINGS), "1-a")
    assert row["flags"] == []
    assert row["within_error"] == v.WITHIN_ERROR
    assert row["notes"] == [
        # the lower limit 46.9 would be 92% of the pace
        "誤差を考えると △ やや遅れ の可能性あり",
        "傾向による令和7(2025)年度の見込み 50.0% と目標との差 −5.0pt は誤差の範囲（誤差 ±7.0pt）",
    ]


def test_count_trend_projects_by_least_squares():
    # 121…125 organisations FY2016–2020: slope 1 a year, so 125 + 5 = 130 in FY2025, 20 short of 150.
    # FY2020 expects 120 + 30 × 0.5 = 135, so the count is also 10 behind the path.
    indicators = plan(indicator("2-a", 120.0, 150.0, respondent=v.ADMINISTRATIVE, unit=v.ORGANISATIONS))
    data = observations(*(("2-a", year, 105.0 + year - 2000, None) for year in range(2016, 2021)))
    row = one(evaluate_indicators(indicators, data, SETTINGS), "2-a")
    assert row["flags"] == [v.BEHIND_PATH, v.PROJECTED_MISS]
    assert row["reasons"] == [
        "目標達成ペースを下回る（差 −10団体、許容差 1団体 を超える）",
        "これまでの傾向では令和7(2025)年度に 130団体 の見込みで、目標 150団体 に届かない（差 −20団体、許容差 ±1団体 を超える）",
    ]


def test_single_data_point_is_graded_without_a_trend():
    row = one(evaluate_indicators(plan(indicator("1-a")), observations(("1-a", 2020, 50.0, 1000)), SETTINGS), "1-a")
    assert row["status"] == v.ON_TRACK
    assert np.isnan(row["projected_value"])
    assert (row["flags"], row["notes"]) == ([], ["誤差を考えると △ やや遅れ の可能性あり"])


@pytest.mark.parametrize("method", v.METHODS)
def test_single_point_at_the_baseline_year_is_no_data_in_both_methods(method):
    data = observations(("1-a", 2015, 40.0, 1000))
    row = one(evaluate_indicators(plan(indicator("1-a")), data, SETTINGS, method=method), "1-a")
    assert row["status"] == v.NO_DATA
    assert row["notes"] == ["基準年度までの値しかないため、進捗はまだ評価できません"]


def test_target_already_met_is_achieved_without_flags():
    data = observations(("1-a", 2019, 60.5, 1000), ("1-a", 2020, 61.0, 1000))
    row = one(evaluate_indicators(plan(indicator("1-a")), data, SETTINGS), "1-a")
    assert row["status"] == v.ACHIEVED
    assert row["flags"] == []


def test_baseline_equal_to_target_raises_a_clear_error():
    indicators = plan(indicator("1-a"), indicator("1-b", 40.0, 40.0))
    with pytest.raises(TargetError, match="「1-b」"):
        evaluate_indicators(indicators, observations(("1-a", 2020, 50.0, 1000)), SETTINGS)


def test_indicator_missing_from_the_latest_survey_is_flagged_and_evaluated_at_its_own_latest_year():
    indicators = plan(indicator("1-a"), indicator("1-b"), indicator("3-a", respondent=v.STAFF))
    data = observations(
        ("1-a", 2020, 50.0, 1000),
        ("1-a", 2021, 52.0, 1000),
        ("1-b", 2020, 50.0, 1000),
        ("3-a", 2020, 50.0, 500),  # the staff survey's latest year is FY2020: nothing missing
    )
    evaluated = evaluate_indicators(indicators, data, SETTINGS)
    assert list(evaluated["year"]) == [2021, 2020, 2020]
    assert list(evaluated["flags"]) == [[], [v.MISSING_LATEST], []]
    assert one(evaluated, "1-b")["reasons"] == [
        "最新の調査年度（令和3(2021)年度）の値がない（最新の値は令和2(2020)年度）"
    ]


def test_chosen_year_without_a_value_is_no_data():
    indicators = plan(indicator("1-a"), indicator("1-b"))
    data = observations(("1-a", 2020, 50.0, 1000), ("1-a", 2021, 52.0, 1000), ("1-b", 2020, 50.0, 1000))
    row = one(evaluate_indicators(indicators, data, SETTINGS, year=2021), "1-b")
    assert row["status"] == v.NO_DATA
    assert row["year"] == 2021
    assert row["flags"] == [v.MISSING_LATEST]
    assert row["notes"] == ["令和3(2021)年度の値がありません"]


def test_chosen_year_ignores_later_values():
    data = observations(("1-a", 2019, 48.0, 1000), ("1-a", 2020, 30.0, 1000))
    row = one(evaluate_indicators(plan(indicator("1-a")), data, SETTINGS, year=2019), "1-a")
    assert (row["year"], row["value"], row["status"]) == (2019, 48.0, v.ON_TRACK)  # 8/20 = 40% of 40% expected


def test_indicator_without_any_value_is_listed_as_no_data():
    indicators = plan(indicator("1-a"), indicator("1-b"))
    row = one(evaluate_indicators(indicators, observations(("1-a", 2020, 50.0, 1000)), SETTINGS), "1-b")
    assert row["status"] == v.NO_DATA
    assert row["reasons"] == ["最新の調査年度（令和2(2020)年度）の値がない（値が1件もない）"]
    assert row["notes"] == ["値が登録されていません"]


def test_evaluation_with_no_observations_at_all_lists_every_indicator():
    evaluated = evaluate_indicators(plan(indicator("1-a"), indicator("1-b")), observations(), SETTINGS)
    assert list(evaluated["status"]) == [v.NO_DATA, v.NO_DATA]
    assert list(evaluated["flags"]) == [[], []]


def test_observation_rows_carry_error_and_change_per_year():
    indicators = plan(
        indicator("1-a"), indicator("2-a", 120.0, 150.0, respondent=v.ADMINISTRATIVE, unit=v.ORGANISATIONS)
    )
    data = observations(
        ("1-a", 2019, 50.0, 1000),
        ("1-a", 2020, 45.0, 1000),
        ("2-a", 2019, 130.0, None),
        ("2-a", 2020, 130.0, None),
        ("9-z", 2020, 10.0, 100),  # not in the plan: left out
    )
    evaluated = evaluate_observations(indicators, data, SETTINGS)
    expected = pd.DataFrame(
        {
            "indicator_code": ["1-a", "1-a", "2-a", "2-a"],
            "fiscal_year": [2019, 2020, 2019, 2020],
            "margin": [3.093040, 3.077595, 0.0, 0.0],  # Wilson half-widths at n = 1,000; none for a count
            "expected": [48.0, 50.0, 132.0, 135.0],  # 40 + 20 × 0.4, 40 + 20 × 0.5; 120 + 30 × 0.4, …
            "previous_year": pd.array([None, 2019, None, 2019], dtype="Int64"),
            "change": [np.nan, -5.0, np.nan, 0.0],
            "change_margin": [np.nan, 4.371642, np.nan, 1.0],  # a count's is its tolerance
            "change_significant": pd.array([None, True, None, False], dtype="boolean"),
        }
    )
    pd.testing.assert_frame_equal(evaluated[expected.columns], expected, check_dtype=False, atol=1e-6)


def test_breakdown_cells_are_graded_on_their_own_trajectory():
    # The plan asks for +20 points (40 → 60, FY2015 → FY2025); each cell must cover the same from its own start.
    indicators = plan(indicator("1-a"))
    data = observations(
        ("1-a", 2020, 50.0, 1000),
        ("1-a", 2015, 30.0, 300, v.AGE, "30代"),  # path 30 → 50 expects 40; 31 is 9 behind, above its own start
        ("1-a", 2020, 31.0, 300, v.AGE, "30代"),
        ("1-a", 2015, 60.0, 300, v.AGE, "70歳以上"),  # path 60 → 80 expects 70: on track, not 達成 at 70
        ("1-a", 2020, 70.0, 300, v.AGE, "70歳以上"),
        ("1-a", 2015, 30.0, 50, v.AGE, "10代"),  # n = 50: 参考値, never flagged however far behind
        ("1-a", 2020, 10.0, 50, v.AGE, "10代"),
        ("1-a", 2019, 55.0, 120, v.AREA, "多田"),  # first value FY2019, none in FY2020
    )
    evaluated = evaluate_breakdowns(indicators, data, SETTINGS, year=2020)
    expected = pd.DataFrame(
        {
            # cells in code order: 地域 (U+5730) before 年代 (U+5E74)
            "category": ["多田", "10代", "30代", "70歳以上"],
            "baseline_year": [2019, 2015, 2015, 2015],
            "baseline_value": [55.0, 30.0, 30.0, 60.0],
            "target_value": [75.0, 50.0, 50.0, 80.0],
            "expected": [np.nan, 40.0, 40.0, 70.0],
            "status": pd.Categorical([v.NO_DATA, v.NO_DATA, v.BEHIND, v.ON_TRACK], dtype=STATUS),
            "reference": [False, True, False, False],
            "flags": [[v.MISSING_LATEST], [], [v.BEHIND_PATH, v.PROJECTED_MISS], []],
        }
    )
    pd.testing.assert_frame_equal(evaluated[expected.columns], expected, check_dtype=False, atol=1e-9)
    assert one(evaluated[evaluated["category"] == "10代"], "1-a")["notes"] == [
        "回答者数 n=50 が 100 未満のため参考値です（状況の判定もフラグもしません）"
    ]


def test_cell_flags_are_controlled_for_multiple_comparisons_within_an_indicator_and_year():
    # One cell 5.5 below its path (p ≈ 0.035 on its own) is flagged alone, but not among 19 cells on their path:
    # Benjamini–Hochberg at 5% then needs p ≤ 0.05 / 20 for the smallest p-value.
    behind = [("1-a", 2015, 40.0, 1000, v.AREA, "A"), ("1-a", 2020, 44.5, 400, v.AREA, "A")]
    others = [
        ("1-a", year, value, 400, v.AREA, f"B{i:02d}")
        for i in range(19)
        for year, value in ((2015, 40.0), (2020, 50.0))
    ]
    alone = one(evaluate_breakdowns(plan(indicator("1-a")), observations(*behind), SETTINGS, year=2020), "1-a")
    # 4.5 / 20 = 22.5% of the way at half time: 45% of the pace
    assert (alone["status"], alone["flags"]) == (v.BEHIND, [v.BEHIND_PATH, v.PROJECTED_MISS])
    many = evaluate_breakdowns(plan(indicator("1-a")), observations(*behind, *others), SETTINGS, year=2020)
    cell = many.set_index("category").loc["A"]
    assert (cell["status"], cell["flags"]) == (v.ON_TRACK, [])
    assert [note for note in cell["notes"] if "Benjamini–Hochberg" in note] == [
        "目標達成ペースとの差は誤差の範囲（差 −5.5pt、誤差 5.1pt を超えるが、"
        "区分が多いため偶然の差を除く補正（Benjamini–Hochberg 法）をすると偶然の範囲）",
        "傾向による令和7(2025)年度の見込み 49.0% と目標との差 −11.0pt は誤差の範囲（誤差 ±10.2pt を超えるが、"
        "区分が多いため偶然の差を除く補正（Benjamini–Hochberg 法）をすると偶然の範囲）",
    ]
    assert list(many["flags"].map(len)) == [0] * 20


def test_evaluation_never_mutates_its_inputs():
    indicators = plan(indicator("1-a"), indicator("1-b"))
    data = observations(("1-a", 2019, 48.0, 1000), ("1-a", 2020, 45.0, None), ("1-b", 2020, 30.0, 1000, v.AGE, "30代"))
    before = (indicators.copy(deep=True), data.copy(deep=True))
    evaluate_indicators(indicators, data, SETTINGS)
    evaluate_breakdowns(indicators, data, SETTINGS)
    evaluate_observations(indicators, data, SETTINGS, method=v.CAGR)
    pd.testing.assert_frame_equal(indicators, before[0])
    pd.testing.assert_frame_equal(data, before[1])


def _evaluated(policy_statuses: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "policy_code": [policy for policy, _ in policy_statuses],
            "dimension": v.OVERALL,
            "category": v.OVERALL,
            "status": pd.Categorical([status for _, status in policy_statuses], dtype=STATUS),
        }
    )


def test_roll_up_counts_statuses_and_takes_the_status_a_majority_reaches():
    evaluated = _evaluated(
        [
            ("1", v.ACHIEVED),
            ("1", v.ON_TRACK),
            ("1", v.BEHIND),  # median of three: 順調
            ("2", v.ON_TRACK),
            ("2", v.BEHIND),  # two: more than half reach only 遅れ
            ("3", v.NO_DATA),  # no data votes: データなし
            ("4", v.WORSENED),
            ("4", v.NO_DATA),  # 悪化 is the only vote
        ]
    )
    summary = summarise_statuses(evaluated)
    expected = pd.DataFrame(
        {
            "dimension": [v.OVERALL] * 5,
            "category": [v.OVERALL] * 5,
            "policy_code": ["1", "2", "3", "4", v.OVERALL],
            "total": [3, 2, 1, 2, 8],
            v.ACHIEVED: [1, 0, 0, 0, 1],
            v.ON_TRACK: [1, 1, 0, 0, 2],
            v.SLIGHTLY_BEHIND: [0, 0, 0, 0, 0],
            v.BEHIND: [1, 1, 0, 0, 2],
            v.WORSENED: [0, 0, 0, 1, 1],
            v.NO_DATA: [0, 0, 1, 1, 2],
            # whole plan, 6 with data in order ◎○○▲▲✕: more than 3 reach 遅れ or better, only 3 reach 順調
            "summary": pd.Categorical([v.ON_TRACK, v.BEHIND, v.NO_DATA, v.WORSENED, v.BEHIND], dtype=STATUS),
        }
    )
    pd.testing.assert_frame_equal(summary, expected, check_dtype=False)


def test_roll_up_of_breakdowns_has_rows_per_cell():
    evaluated = pd.concat(
        [
            _evaluated([("1", v.ON_TRACK), ("2", v.ON_TRACK)]).assign(dimension=v.AGE, category="30代"),
            _evaluated([("1", v.BEHIND), ("2", v.BEHIND)]).assign(dimension=v.AGE, category="70歳以上"),
        ]
    )
    summary = summarise_statuses(evaluated)
    assert list(zip(summary["category"], summary["policy_code"], summary["summary"], strict=True)) == [
        ("30代", "1", v.ON_TRACK),
        ("30代", "2", v.ON_TRACK),
        ("30代", v.OVERALL, v.ON_TRACK),
        ("70歳以上", "1", v.BEHIND),
        ("70歳以上", "2", v.BEHIND),
        ("70歳以上", v.OVERALL, v.BEHIND),
    ]


def test_generated_plan_evaluates_every_indicator_once():
    # A seeded random plan: one row per indicator whatever the data, and statuses only from the vocabulary.
    rng = np.random.default_rng(7)
    indicators = plan(*(indicator(f"1-{i}", 40.0, 60.0) for i in range(20)))
    rows = [
        (f"1-{i}", year, round(float(rng.uniform(30, 65)), 1), int(rng.integers(200, 1500)))
        for i in range(20)
        for year in range(2016, 2016 + int(rng.integers(0, 8)))
    ]
    evaluated = evaluate_indicators(indicators, observations(*rows), SETTINGS)
    assert list(evaluated["code"]) == list(indicators["code"])
    assert set(evaluated["status"]) <= set(v.STATUSES)
    assert all(
        len(flags) == len(reasons) for flags, reasons in zip(evaluated["flags"], evaluated["reasons"], strict=True)
    )


def test_indicator_rows_carry_the_trend_line_and_observation_rows_their_unit():
    data = observations(("1-a", 2019, 48.0, 1000), ("1-a", 2020, 50.0, 1000))
    row = one(evaluate_indicators(plan(indicator("1-a")), data, SETTINGS), "1-a")
    # 48 → 50 over one year: the least-squares slope is 2 a year, 50 + 2 × 5 = 60 in FY2025
    assert [row["trend_slope"], row["projected_value"]] == pytest.approx([2.0, 60.0])
    assert list(evaluate_observations(plan(indicator("1-a")), data, SETTINGS)["unit"]) == [v.PERCENT, v.PERCENT]


def test_count_projection_carries_the_trend_lines_own_error_and_a_small_shortfall_is_not_flagged():
    # x = year − 2025 = −10, −9, −8, −7; y = 120, 122, 121, 124: slope 5.5/5 = 1.1, value at x = 0 is
    # 121.75 + 1.1 × 8.5 = 131.1. Residuals −0.1, 0.8, −1.3, 0.6: SSR 2.7, s² = 2.7 / 2 = 1.35.
    # Error of the line at x = 0: √(1.35 × (1/4 + 8.5²/5)) = √19.845 = 4.4548; t(0.975, 2) = 4.3027,
    # margin 19.17. The target 135 is 3.9 above the projection: well inside, so no flag.
    indicators = plan(indicator("2-c", 118, 135, respondent=v.ADMINISTRATIVE, unit=v.ORGANISATIONS))
    data = observations(
        *((("2-c", year, value, None)) for year, value in zip(range(2015, 2019), [120, 122, 121, 124], strict=True))
    )
    row = one(evaluate_indicators(indicators, data, SETTINGS), "2-c")
    assert row["projected_value"] == pytest.approx(131.1)
    assert row["projected_margin"] == pytest.approx(19.168, abs=0.001)
    assert v.PROJECTED_MISS not in row["flags"]


# Baseline 40 (FY2015) → target 60 (FY2025), with the city's 年次目標 45 (FY2020) and 52 (FY2022): a slow start.
_INTERIM = pd.DataFrame({"indicator_code": ["1-a", "1-a"], "fiscal_year": [2020, 2022], "value": [45.0, 52.0]})
_NO_N_REASON = "、n がないため誤差の範囲か判定できません"


@pytest.mark.parametrize(
    ("method", "year", "value", "interim", "expected", "status", "reasons"),
    [
        (v.LINEAR, 2020, 45.0, True, 45.0, v.ON_TRACK, []),
        (v.LINEAR, 2020, 45.0, False, 50.0, v.BEHIND, [f"目標達成ペースを下回る（差 −5.0pt{_NO_N_REASON}）"]),
        (
            v.LINEAR,
            2020,
            43.0,
            True,
            45.0,
            v.SLIGHTLY_BEHIND,
            [f"年次目標（令和2(2020)年度 45.0%）を下回る（差 −2.0pt{_NO_N_REASON}）"],
        ),
        (
            v.LINEAR,
            2021,
            44.0,
            True,
            48.5,
            v.BEHIND,
            [f"年次目標から求めた目標達成ペース（令和3(2021)年度 48.5%）を下回る（差 −4.5pt{_NO_N_REASON}）"],
        ),
        (v.LINEAR, 2017, 42.0, True, 42.0, v.ON_TRACK, []),
        (v.LINEAR, 2024, 61.0, True, 57.333333, v.ACHIEVED, []),
        (
            v.LINEAR,
            2020,
            39.0,
            True,
            45.0,
            v.WORSENED,
            [f"年次目標（令和2(2020)年度 45.0%）を下回る（差 −6.0pt{_NO_N_REASON}）。基準値 40.0% よりも悪い"],
        ),
        (v.CAGR, 2020, 45.0, True, 45.0, v.ON_TRACK, []),
        (
            v.CAGR,
            2020,
            43.0,
            True,
            45.0,
            v.SLIGHTLY_BEHIND,
            [f"年次目標（令和2(2020)年度 45.0%）を下回る（差 −2.0pt{_NO_N_REASON}）"],
        ),
    ],
)
def test_yearly_targets_are_the_expected_path_and_the_reason_names_them(
    method, year, value, interim, expected, status, reasons
):
    indicators = plan(indicator("1-a"))
    if interim:
        indicators = attach_yearly_targets(indicators, _INTERIM)
    row = one(evaluate_indicators(indicators, observations(("1-a", year, value, None)), SETTINGS, method=method), "1-a")
    assert (round(row["expected"], 6), row["status"], row["reasons"]) == (expected, status, reasons)


def test_a_breakdown_cell_follows_the_yearly_targets_from_its_own_start() -> None:
    # The cell starts 5pt below the plan's baseline, so its FY2020 path is the 年次目標 45 less 5.
    indicators = attach_yearly_targets(plan(indicator("1-a")), _INTERIM)
    data = observations(("1-a", 2015, 35.0, 400, "年代", "20代"), ("1-a", 2020, 40.0, 400, "年代", "20代"))
    row = one(evaluate_breakdowns(indicators, data, SETTINGS, year=2020), "1-a")
    assert (row["expected"], row["path"], row["status"]) == (40.0, v.PATH_INTERPOLATED, v.ON_TRACK)
