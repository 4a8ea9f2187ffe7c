"""Benchmark: evaluate generated plans of 100, 1,000 and 10,000 indicators × 20 years × 30 breakdown cells.

Run from the project root: `python benchmarks/bench_evaluation.py`. Prints seconds for the overall
evaluation and the breakdown evaluation at each size and how the total grows; 1,000 indicators
must take at most 0.5 s (issue 14; exit status 1 otherwise).
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import vocabulary as v
from analytics.evaluation import evaluate_breakdowns, evaluate_indicators
from analytics.evaluation_settings import Settings

YEARS = range(2006, 2026)
CELLS = [(v.AGE, f"{age}代") for age in range(10, 80, 10)] + [(v.AREA, f"地域{i:02d}") for i in range(23)]
SIZES = (100, 1_000, 10_000)
LIMIT_SECONDS = 0.5
REPEATS = 3


def generate(indicator_count: int, seed: int = 20251130) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A plan and its observations: every indicator observed overall and in 30 cells for 20 years."""
    rng = np.random.default_rng(seed)
    codes = [f"{i // 100 + 1}-{i:05d}" for i in range(indicator_count)]
    baseline = rng.uniform(20, 60, indicator_count)
    higher = rng.random(indicator_count) < 0.8
    target = np.where(
        higher, baseline + rng.uniform(5, 20, indicator_count), baseline - rng.uniform(5, 15, indicator_count)
    )
    indicators = pd.DataFrame(
        {
            "code": codes,
            "policy_code": [code.split("-")[0] for code in codes],
            "name": [f"指標{code}" for code in codes],
            "respondent": np.where(rng.random(indicator_count) < 0.9, v.CITIZEN, v.STAFF),
            "unit": v.PERCENT,
            "higher_is_better": higher,
            "baseline_year": YEARS[0],
            "baseline_value": baseline,
            "target_year": YEARS[-1],
            "target_value": target,
            "sample": True,
            "position": range(indicator_count),
        }
    )
    cells = [(v.OVERALL, v.OVERALL), *CELLS]
    rows = indicator_count * len(YEARS) * len(cells)
    indicator = np.repeat(np.arange(indicator_count), len(YEARS) * len(cells))
    year = np.tile(np.repeat(np.array(YEARS), len(cells)), indicator_count)
    cell = np.tile(np.arange(len(cells)), indicator_count * len(YEARS))
    drift = (target - baseline)[indicator] * (year - YEARS[0]) / (YEARS[-1] - YEARS[0]) * rng.uniform(0.3, 1.2, rows)
    value = np.clip(baseline[indicator] + drift + rng.normal(0, 2, rows), 0.5, 99.5).round(1)
    respondents = np.where(cell == 0, rng.integers(900, 1500, rows), rng.integers(30, 200, rows))
    observations = pd.DataFrame(
        {
            "indicator_code": np.array(codes)[indicator],
            "fiscal_year": year,
            "dimension": np.array([d for d, _ in cells])[cell],
            "category": np.array([c for _, c in cells])[cell],
            "value": value,
            "respondents": pd.array(respondents, dtype="Int64"),
            "note": "",
            "sample": True,
        }
    ).astype({"indicator_code": "str", "dimension": "str", "category": "str", "note": "str"})
    return indicators, observations


def best_time(function, *arguments) -> float:
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function(*arguments)
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> int:
    settings = Settings()
    print(f"評価エンジンのベンチマーク（{len(YEARS)}年度 × 全体+{len(CELLS)}区分、{REPEATS}回の最速値）")
    print(f"{'指標数':>8} {'観測値の行数':>12} {'全体(秒)':>9} {'区分別(秒)':>10} {'合計(秒)':>9} {'増加率':>7}")
    previous = None
    totals = {}
    for size in SIZES:
        indicators, observations = generate(size)
        overall = best_time(evaluate_indicators, indicators, observations, settings)
        breakdowns = best_time(evaluate_breakdowns, indicators, observations, settings)
        total = overall + breakdowns
        totals[size] = total
        growth = f"×{total / previous:.1f}" if previous else "—"
        print(f"{size:>11,} {len(observations):>18,} {overall:>11.3f} {breakdowns:>13.3f} {total:>11.3f} {growth:>9}")
        previous = total
    within = totals[1_000] <= LIMIT_SECONDS
    print(f"1,000指標: {totals[1_000]:.3f}秒（目標 {LIMIT_SECONDS:g}秒以内: {'達成' if within else '未達'}）")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
