"""Sampling error of survey shares: Wilson intervals, margins and the two-proportion z test."""

import numpy as np
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
