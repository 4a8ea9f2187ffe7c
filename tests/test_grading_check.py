"""An independent check of the grading: statsmodels against the engine, and the status/flag/note rule on the sample data."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
)
from statsmodels.stats.proportion import test_proportions_2indep as two_proportions_test

from analytics import store
from analytics import vocabulary as v
from analytics.evaluation import evaluate_breakdowns, evaluate_indicators
from analytics.evaluation_settings import Settings
from analytics.sampling import benjamini_hochberg, compare_shares, difference_interval, wilson_interval
from analytics.schemas import IndicatorFrame, ObservationFrame

SEED = 20261124
CASES = 300
BELOW_ON_TRACK = {v.SLIGHTLY_BEHIND, v.BEHIND, v.WORSENED}


@pytest.fixture(scope="module")
def rng() -> np.random.Generator:
    return np.random.default_rng(SEED)


def test_wilson_limits_match_statsmodels(rng):
    n = rng.integers(20, 3000, CASES)
    share = rng.integers(0, n + 1) / n
    for confidence in (0.9, 0.95, 0.99):
        low, high = wilson_interval(share, n, confidence)
        for i in range(CASES):
            expected = proportion_confint(share[i] * n[i], n[i], alpha=1 - confidence, method="wilson")
            assert (low[i], high[i]) == pytest.approx(expected, abs=1e-12)


def test_z_test_p_values_match_statsmodels_unpooled_wald_test(rng):
    n1, n2 = rng.integers(50, 3000, CASES), rng.integers(50, 3000, CASES)
    p1, p2 = rng.integers(1, n1) / n1, rng.integers(1, n2) / n2
    _, p_values = compare_shares(p1, n1, p2, n2)
    for i in range(CASES):
        result = two_proportions_test(p2[i] * n2[i], n2[i], p1[i] * n1[i], n1[i], method="wald", compare="diff")
        assert p_values[i] == pytest.approx(result.pvalue, abs=1e-12)


def test_difference_limits_from_wilson_limits_match_statsmodels_newcombe(rng):
    n1, n2 = rng.integers(50, 3000, CASES), rng.integers(50, 3000, CASES)
    p1, p2 = rng.integers(0, n1 + 1) / n1, rng.integers(0, n2 + 1) / n2
    (l1, h1), (l2, h2) = wilson_interval(p1, n1), wilson_interval(p2, n2)
    low, high = difference_interval(p1, l1, h1, p2, l2, h2)
    for i in range(CASES):
        expected = confint_proportions_2indep(
            p1[i] * n1[i], n1[i], p2[i] * n2[i], n2[i], method="newcomb", compare="diff"
        )
        assert (low[i], high[i]) == pytest.approx(expected, abs=1e-12)


def test_benjamini_hochberg_matches_statsmodels_within_each_group(rng):
    p_values = rng.random(CASES) ** 3
    groups = rng.integers(0, 12, CASES)
    rejected = benjamini_hochberg(p_values, groups, 0.05)
    for group in range(12):
        mask = groups == group
        assert (rejected[mask] == multipletests(p_values[mask], alpha=0.05, method="fdr_bh")[0]).all()


def _generated(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random indicators (direction, baseline with or without n, target) each observed once at a random year."""
    higher = rng.random(CASES) < 0.7
    baseline = rng.uniform(10, 70, CASES)
    step = rng.uniform(3, 25, CASES)
    indicators = pd.DataFrame(
        {
            "code": [f"1-{i:03d}" for i in range(CASES)],
            "policy_code": "1",
            "name": "生成した指標",
            "respondent": v.CITIZEN,
            "unit": v.PERCENT,
            "higher_is_better": higher,
            "baseline_year": 2015,
            "baseline_value": baseline.round(1),
            "target_year": 2025,
            # a lower-is-better target stays positive, where a growth rate exists
            "target_value": np.where(higher, baseline + step, baseline - np.minimum(step, 0.6 * baseline)).round(1),
            "sample": True,
            "position": range(CASES),
            "baseline_respondents": pd.array(
                np.where(rng.random(CASES) < 0.5, rng.integers(200, 2000, CASES), -1), dtype="Int64"
            ),
        }
    )
    indicators["baseline_respondents"] = indicators["baseline_respondents"].mask(indicators["baseline_respondents"] < 0)
    year = rng.integers(2016, 2026, CASES)
    path = baseline + (indicators["target_value"] - baseline) * (year - 2015) / 10
    observations = pd.DataFrame(
        {
            "indicator_code": indicators["code"],
            "fiscal_year": year,
            "dimension": v.OVERALL,
            "category": v.OVERALL,
            "value": np.clip(path + rng.normal(0, 4, CASES), 1, 99).round(1),
            "respondents": pd.array(rng.integers(100, 3000, CASES), dtype="Int64"),
            "note": "",
            "sample": True,
        }
    )
    return IndicatorFrame.validate(indicators), ObservationFrame.validate(observations)


def _grade(pace: float, achieved: bool) -> str:
    if achieved:
        return v.ACHIEVED
    if math.isnan(pace):
        return v.NO_DATA
    pace = round(pace, 6)
    return v.ON_TRACK if pace >= 95 else v.SLIGHTLY_BEHIND if pace >= 60 else v.BEHIND if pace >= 0 else v.WORSENED


def _limits(value: float, n: object) -> tuple[float, float]:
    if pd.isna(n):
        return value, value
    low, high = proportion_confint(value / 100 * n, n, alpha=0.05, method="wilson")
    return low * 100, high * 100


def _reference_status(indicator: pd.Series, row: pd.Series, method: str, rule: str) -> str:
    """The status from first principles, one row at a time, with statsmodels' Wilson limits."""
    b, t, value, year = indicator["baseline_value"], indicator["target_value"], row["value"], row["fiscal_year"]
    share = min((year - 2015) / 10, 1.0)
    higher = indicator["higher_is_better"]
    if method == v.LINEAR:
        expected, sensitivity = b + (t - b) * share, 1 - share
        pace = (value - b) / (t - b) / share * 100
    else:
        expected = b * (t / b) ** share
        sensitivity = (1 - share) * expected / b
        actual = (value / b) ** (1 / (year - 2015)) - 1
        required = (t / b) ** (1 / 10) - 1
        pace = (1 if higher else -1) * actual / abs(required) * 100
    point = _grade(pace, value >= t if higher else value <= t)
    if rule == v.POINT or point not in BELOW_ON_TRACK:
        return point
    low, high = _limits(value, row["respondents"])
    b_low, b_high = _limits(b, indicator["baseline_respondents"])
    gap = value - expected
    gap_low = gap - math.hypot(value - low, sensitivity * (b_high - b))
    gap_high = gap + math.hypot(high - value, sensitivity * (b - b_low))
    if not (gap_low > 0 or gap_high < 0):
        return v.ON_TRACK
    worse_low = value - b - math.hypot(value - low, b_high - b)
    worse_high = value - b + math.hypot(high - value, b - b_low)
    below = worse_high < 0 if higher else worse_low > 0
    return v.BEHIND if point == v.WORSENED and not below else point


@pytest.mark.parametrize("rule", v.STATUS_RULES)
@pytest.mark.parametrize("method", v.METHODS)
def test_statuses_of_generated_series_match_a_first_principles_recomputation(rng, method, rule):
    indicators, observations = _generated(rng)
    evaluated = evaluate_indicators(indicators, observations, Settings(status_rule=rule), method=method)
    rows = observations.set_index("indicator_code")
    expected = [
        _reference_status(indicator, rows.loc[indicator["code"]], method, rule)
        for _, indicator in indicators.iterrows()
    ]
    assert list(evaluated["status"]) == expected
    # every grade occurs, so the comparison covers each branch of the rule
    assert set(expected) >= {v.ON_TRACK, v.SLIGHTLY_BEHIND, v.BEHIND, v.ACHIEVED}


def _check_consistency(frame: pd.DataFrame, rule: str) -> None:
    for row in frame.itertuples():
        described = f"{row.code} {row.dimension}{row.category} {row.year}"
        assert len(row.flags) == len(row.reasons), described
        behind = v.BEHIND_PATH in row.flags
        # A status below 順調 always carries its reason, and the flag never sits beside 順調 or better.
        assert behind == (row.status in BELOW_ON_TRACK), described
        if behind:
            assert row.reasons[row.flags.index(v.BEHIND_PATH)].startswith("目標達成ペースを下回る"), described
            if rule == v.EVIDENCE:
                # no flag on a difference its own interval contains
                assert row.gap_significant is not False, described
        if v.WORSE_THAN_PREVIOUS in row.flags:
            assert row.change_significant is not False, described
        if row.reference:
            assert (row.flags, row.status) == ([], v.NO_DATA), described
        if row.status_range:
            assert row.status_range in row.notes, described
        if row.within_error:
            # a count's tolerance is its 誤差 for this purpose
            assert any(v.WITHIN_ERROR in note or "許容差の範囲" in note for note in row.notes), described


@pytest.mark.parametrize("rule", v.STATUS_RULES)
@pytest.mark.parametrize("method", v.METHODS)
def test_status_flags_and_notes_agree_on_every_row_of_the_sample_data(engine, method, rule):
    plan = store.read_plans(engine)[-1]
    observations = store.read_observations(engine)
    settings = Settings(status_rule=rule)
    for year in sorted(observations["fiscal_year"].unique()):
        known = observations[observations["fiscal_year"] <= year]
        for evaluate in (evaluate_indicators, evaluate_breakdowns):
            _check_consistency(evaluate(plan.indicators, known, settings, year=int(year), method=method), rule)
