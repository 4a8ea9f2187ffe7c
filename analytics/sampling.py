"""Sampling error of survey shares: Wilson intervals, margins and the two-proportion z test."""

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import ndtr, ndtri


def critical_z(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level: 1.96 at 95%."""
    return float(ndtri(0.5 + confidence / 2))


def wilson_interval(share: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper Wilson limits for shares in 0–1 from n respondents; NaN where n is missing.

    Wilson rather than the textbook p ± z·SE because the latter collapses to a zero-width
    interval at 0% or 100% and leaves the 0–1 range for small n.
    """
    p = np.asarray(share, dtype=float)
    n = np.asarray(n, dtype=float)
    z = critical_z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def wilson_margin(share: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Half the width of the Wilson interval, the 「±」 figure quoted with a survey share."""
    low, high = wilson_interval(share, n, confidence)
    return (high - low) / 2


def compare_shares(
    before: ArrayLike, n_before: ArrayLike, after: ArrayLike, n_after: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Margin of the change after − before and its two-sided p-value (two-proportion z test).

    Uses the unpooled standard error √(SE₁² + SE₂²), so that the margin is the one quoted next to
    the change and "significant" means exactly |change| > margin. A change of zero between two
    shares with no variance (both 0% or both 100%) gets p = 1, not 0/0.
    """
    p1, p2 = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    n1, n2 = np.asarray(n_before, dtype=float), np.asarray(n_after, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        error = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        z = np.abs(p2 - p1) / error
    z = np.where((p2 == p1) & np.isfinite(error), 0.0, z)
    return critical_z(confidence) * error, 2 * ndtr(-z)


def effective_respondents(n: ArrayLike, design_effect: ArrayLike, population: ArrayLike) -> np.ndarray:
    """The n that sampling error is computed from: n ÷ design effect ÷ finite-population correction.

    The design effect (Kish) widens the error of a weighted or clustered survey; the correction
    (N − n) ÷ (N − 1) narrows it when the survey reaches much of a known population N (a staff
    survey). Without N (NaN) there is no correction; a census (n ≥ N) has no sampling error (∞).
    """
    n, design_effect, population = (np.asarray(a, dtype=float) for a in (n, design_effect, population))
    with np.errstate(invalid="ignore", divide="ignore"):
        correction = np.where(np.isnan(population), 1.0, np.clip((population - n) / (population - 1), 0.0, 1.0))
        return n / design_effect / correction


def difference_interval(
    first: ArrayLike,
    first_low: ArrayLike,
    first_high: ArrayLike,
    second: ArrayLike,
    second_low: ArrayLike,
    second_high: ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """Limits of first − second from each estimate's own (asymmetric) limits: Newcombe's MOVER.

    Each side of the difference takes the distance to the limit on that side of each estimate, so
    that a Wilson interval's longer side is the one used where it matters (Newcombe 1998, method 10).
    """
    a, a_low, a_high, b, b_low, b_high = (
        np.asarray(x, dtype=float) for x in (first, first_low, first_high, second, second_low, second_high)
    )
    difference = a - b
    low = difference - np.sqrt((a - a_low) ** 2 + (b_high - b) ** 2)
    high = difference + np.sqrt((a_high - a) ** 2 + (b - b_low) ** 2)
    return low, high


def benjamini_hochberg(p_values: ArrayLike, groups: ArrayLike, rate: float) -> np.ndarray:
    """Which tests the Benjamini–Hochberg step-up procedure rejects, within each group separately.

    Keeps the expected share of false flags among those raised at `rate` when one indicator's many
    年代/地域 cells are tested at once. NaN p-values are not tests: never rejected, not counted.
    """
    p = np.asarray(p_values, dtype=float)
    rejected = np.zeros(len(p), dtype=bool)
    tested = np.flatnonzero(~np.isnan(p))
    if not len(tested):
        return rejected
    # One sort by group, p-value and position (ties keep their order) instead of a grouped rank per group.
    group = pd.factorize(np.asarray(groups)[tested])[0]
    order = np.lexsort((tested, p[tested], group))
    group, p_sorted = group[order], p[tested][order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    member = np.cumsum(np.r_[True, group[1:] != group[:-1]]) - 1
    size = np.diff(np.r_[starts, len(order)])[member]
    rank = (np.arange(len(order)) - starts[member] + 1).astype(float)
    cutoff = np.maximum.reduceat(np.where(p_sorted <= rank / size * rate, p_sorted, -np.inf), starts)
    rejected[tested[order]] = p_sorted <= cutoff[member]
    return rejected
