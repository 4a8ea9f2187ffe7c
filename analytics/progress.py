"""Progress towards a target: 進捗率, the expected path, the Open SDG growth ratio and the status grade."""

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analytics import vocabulary as v

# Grades compare against thresholds in percent; rounding first keeps a pace that is 95% on paper
# but 94.99999999 in floating point on the 95% side of the line.
_DECIMALS = 6


class TargetError(ValueError):
    """A plan target that progress cannot be measured against; the message names the indicators."""


def check_targets(indicators: pd.DataFrame) -> None:
    """Raise TargetError when a target equals its baseline or points the wrong way.

    Equal values would make 進捗率 a division by zero; a target on the worse side of the baseline
    would grade every improvement as falling behind.
    """
    level = indicators[indicators["target_value"] == indicators["baseline_value"]]
    if not level.empty:
        listed = "、".join(
            f"「{code}」（{value:g}）" for code, value in zip(level["code"], level["baseline_value"], strict=True)
        )
        raise TargetError(
            f"指標{listed}は基準値と目標値が同じため、進捗率を計算できません。計画ファイルの目標値を確認してください。"
        )
    rising = indicators["target_value"] > indicators["baseline_value"]
    backwards = indicators[rising != indicators["higher_is_better"]]
    if not backwards.empty:
        row = backwards.iloc[0]
        better = "高いほど良い" if row["higher_is_better"] else "低いほど良い"
        raise TargetError(
            f"指標「{row['code']}」は「{better}」指標ですが、目標値（{row['target_value']:g}）が"
            f"基準値（{row['baseline_value']:g}）より悪い側にあります。計画ファイルの higher_is_better か目標値を確認してください。"
        )


def progress_rate(value: ArrayLike, baseline: ArrayLike, target: ArrayLike) -> np.ndarray:
    """進捗率 (%) = (実績 − 基準値) ÷ (目標値 − 基準値) × 100; direction-aware by construction."""
    value, baseline, target = (np.asarray(a, dtype=float) for a in (value, baseline, target))
    return (value - baseline) / (target - baseline) * 100


def elapsed_share(year: ArrayLike, baseline_year: ArrayLike, target_year: ArrayLike) -> np.ndarray:
    """How far through the plan a year is, 0 at the baseline year and 1 from the target year on."""
    year, start, end = (np.asarray(a, dtype=float) for a in (year, baseline_year, target_year))
    return np.clip((year - start) / (end - start), 0, 1)


def linear_expected(share: ArrayLike, baseline: ArrayLike, target: ArrayLike) -> np.ndarray:
    """The value expected `share` of the way along the straight line from baseline to target."""
    share, baseline, target = (np.asarray(a, dtype=float) for a in (share, baseline, target))
    return baseline + (target - baseline) * share


def linear_pace(rate: ArrayLike, share: ArrayLike) -> np.ndarray:
    """Actual progress ÷ expected progress, in %: 100 means exactly on the straight line.

    NaN at (or before) the baseline year, where nothing is expected yet and the ratio means nothing.
    """
    rate, share = np.asarray(rate, dtype=float), np.asarray(share, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(share > 0, rate / (share * 100) * 100, np.nan)


def compound_expected(share: ArrayLike, baseline: ArrayLike, target: ArrayLike) -> np.ndarray:
    """The value expected on the constant-growth path from baseline to target (the CAGR method's path)."""
    share, baseline, target = (np.asarray(a, dtype=float) for a in (share, baseline, target))
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = baseline * (target / baseline) ** share
    return np.where((baseline > 0) & (target > 0), expected, np.nan)


def growth_ratio(
    value: ArrayLike,
    year: ArrayLike,
    baseline: ArrayLike,
    baseline_year: ArrayLike,
    target: ArrayLike,
    target_year: ArrayLike,
    higher_is_better: ArrayLike,
) -> np.ndarray:
    """Open SDG's R = direction × CAGR(actual) ÷ |CAGR(required)|, in % (95 = Open SDG's 0.95).

    Follows sdg-build's ProgressMeasure methodology 2 with the plan's baseline as the base point.
    NaN when there is no second point (year ≤ baseline year) or a value is 0 or negative, where
    a growth rate does not exist; sdg-build substitutes 0.001 there, which we do not copy because
    it produces arbitrary ratios.
    """
    value, year, baseline, baseline_year, target, target_year = (
        np.asarray(a, dtype=float) for a in (value, year, baseline, baseline_year, target, target_year)
    )
    direction = np.where(np.asarray(higher_is_better, dtype=bool), 1.0, -1.0)
    valid = (year > baseline_year) & (value > 0) & (baseline > 0) & (target > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        actual = (value / baseline) ** (1 / (year - baseline_year)) - 1
        required = (target / baseline) ** (1 / (target_year - baseline_year)) - 1
        ratio = direction * actual / np.abs(required) * 100
    return np.where(valid, ratio, np.nan)


def target_met(value: ArrayLike, target: ArrayLike, higher_is_better: ArrayLike) -> np.ndarray:
    """Whether a value is at or beyond its target on the good side."""
    value, target = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
    better = np.where(np.asarray(higher_is_better, dtype=bool), value - target, target - value)
    return np.round(better, 9) >= 0


def grade(pace: ArrayLike, achieved: ArrayLike, on_track: float, slightly_behind: float) -> pd.Categorical:
    """Status keys, as a categorical ordered best to worst, from a pace in % and whether the target is met.

    達成 when the target is met, whatever the pace; then ≥ on_track 順調, ≥ slightly_behind やや遅れ,
    ≥ 0 遅れ, < 0 悪化 (worse than the baseline); no pace (no value, too few points) データなし.
    """
    pace = np.round(np.asarray(pace, dtype=float), _DECIMALS)
    code = {status: position for position, status in enumerate(v.STATUSES)}
    codes = np.select(
        [
            np.asarray(achieved, dtype=bool),
            np.isnan(pace),
            pace >= on_track,
            pace >= slightly_behind,
            pace >= 0,
        ],
        [code[v.ACHIEVED], code[v.NO_DATA], code[v.ON_TRACK], code[v.SLIGHTLY_BEHIND], code[v.BEHIND]],
        default=code[v.WORSENED],
    )
    return pd.Categorical.from_codes(codes, categories=list(v.STATUSES), ordered=True)


def attach_yearly_targets(indicators: pd.DataFrame, yearly_targets: pd.DataFrame) -> pd.DataFrame:
    """The indicators with their 年次目標 as ((fiscal year, value), …) in a `yearly_targets` column.

    The evaluation reads interim targets from the indicators frame, so every caller that passes a
    plan's indicators can hand them over without a new argument through every evaluation function.
    """
    ordered = yearly_targets.sort_values(["indicator_code", "fiscal_year"])
    targets = {
        code: tuple(zip(group["fiscal_year"].astype(int), group["value"].astype(float), strict=True))
        for code, group in ordered.groupby("indicator_code", sort=False)
    }
    return indicators.assign(yearly_targets=[targets.get(code, ()) for code in indicators["code"]])


def interim_path(indicators: pd.DataFrame, position: np.ndarray, year: np.ndarray) -> tuple[np.ndarray, ...]:
    """The city's own path through its 年次目標 for rows (plan position, fiscal year).

    Returns the expected value (straight lines between baseline, interim targets and target; the
    baseline before the baseline year, the target after the target year), how much it moves with
    the baseline (1 at the baseline, falling to 0 at the first interim target), and whether the
    year has its own 年次目標. NaN and False for indicators without interim targets, which keep
    their method's path.
    """
    rows = len(position)
    expected, sensitivity, own = np.full(rows, np.nan), np.full(rows, np.nan), np.zeros(rows, dtype=bool)
    if "yearly_targets" not in indicators or not rows:
        return expected, sensitivity, own
    start = indicators["baseline_year"].to_numpy(int)
    end = indicators["target_year"].to_numpy(int)
    span = int((end - start).max()) + 1
    # One dense row of years per indicator, so the rows are looked up at once instead of per indicator.
    path, weight = np.full((len(indicators), span), np.nan), np.full((len(indicators), span), np.nan)
    is_own = np.zeros((len(indicators), span), dtype=bool)
    for index, (targets, first, last, baseline, target) in enumerate(
        zip(
            indicators["yearly_targets"],
            start,
            end,
            indicators["baseline_value"].to_numpy(float),
            indicators["target_value"].to_numpy(float),
            strict=True,
        )
    ):
        if not targets:
            continue
        years = np.array([first, *(y for y, _ in targets), last], dtype=float)
        values = np.array([baseline, *(value for _, value in targets), target], dtype=float)
        grid = np.arange(first, last + 1, dtype=float)
        path[index, : len(grid)] = np.interp(grid, years, values)
        weight[index, : len(grid)] = np.interp(grid, years, [1.0, *np.zeros(len(years) - 1)])
        is_own[index, [y - first for y, _ in targets]] = True
    offset = (np.clip(year, start[position], end[position]) - start[position]).astype(int)
    return path[position, offset], weight[position, offset], is_own[position, offset]
