"""Sampling error: Wilson interval, margin and the two-proportion z test, against hand-computed figures."""

import numpy as np
import pytest

from analytics.sampling import compare_shares, critical_z, wilson_interval, wilson_margin


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        (0.95, 1.959964),  # Φ⁻¹(0.975)
        (0.90, 1.644854),  # Φ⁻¹(0.95)
    ],
)
def test_critical_z_is_the_two_sided_normal_quantile(confidence, expected):
    assert critical_z(confidence) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("share", "n", "low", "high"),
    [
        # z² = 3.841459; centre = (0.5 + z²/2000) / (1 + z²/1000) = 0.5;
        # half = z/(1 + z²/1000) · √(0.25/1000 + z²/4,000,000) = 1.952464 · 0.015841728 = 0.030930
        (0.5, 1000, 0.469070, 0.530930),
        # At 0% the interval keeps a width: high = (z²/100) / (1 + z²/100) = 0.0384146 / 1.0384146 = 0.036993
        (0.0, 100, 0.0, 0.036993),
        # Symmetric to 0%: low = 1 − 0.036993
        (1.0, 100, 0.963007, 1.0),
    ],
)
def test_wilson_interval_matches_hand_computation(share, n, low, high):
    lower, upper = wilson_interval(share, n)
    assert (lower, upper) == pytest.approx((low, high), abs=1e-6)


def test_margin_at_half_and_a_thousand_respondents_is_about_three_points():
    # DOMAIN.md: n = 1,000, p = 50% gives ±3.1 points; the Wilson half-width is 0.030930.
    assert wilson_margin(0.5, 1000) == pytest.approx(0.030930, abs=1e-6)


def test_missing_n_gives_no_interval_rather_than_an_invented_one():
    lower, upper = wilson_interval(np.array([0.4, 0.4]), np.array([500.0, np.nan]))
    assert np.isfinite(lower[0])
    assert np.isnan(lower[1])
    assert np.isnan(upper[1])


def test_interval_is_vectorised_over_shares_and_sizes():
    lower, upper = wilson_interval(np.array([0.5, 0.0]), np.array([1000, 100]))
    np.testing.assert_allclose(lower, [0.469070, 0.0], atol=1e-6)
    np.testing.assert_allclose(upper, [0.530930, 0.036993], atol=1e-6)


@pytest.mark.parametrize(
    ("before", "after", "margin", "p_value"),
    [
        # 50% → 45%, n = 1,000 each: SE = √(0.25/1000 + 0.2475/1000) = 0.0223047;
        # margin = 1.959964 × 0.0223047 = 0.043716; z = 0.05 / 0.0223047 = 2.24168; p = 2(1 − Φ(z)) = 0.02498
        (0.50, 0.45, 0.043716, 0.024982),
        # 50% → 48%: SE = √(0.25/1000 + 0.2496/1000) = 0.0223517; margin 0.043809; z = 0.8948; p = 0.3709
        (0.50, 0.48, 0.043809, 0.370902),
    ],
)
def test_two_proportion_test_matches_hand_computation(before, after, margin, p_value):
    got_margin, got_p = compare_shares(before, 1000, after, 1000)
    assert (got_margin, got_p) == pytest.approx((margin, p_value), abs=1e-6)


def test_no_change_between_shares_without_variance_is_not_significant():
    # 0% both years: SE = 0 and the change is 0, so p = 1 rather than 0/0.
    margin, p_value = compare_shares(0.0, 100, 0.0, 100)
    assert (margin, p_value) == (0.0, 1.0)


def test_change_with_a_missing_n_has_no_margin():
    margin, p_value = compare_shares(0.5, np.nan, 0.45, 1000)
    assert np.isnan(margin)
    assert np.isnan(p_value)
