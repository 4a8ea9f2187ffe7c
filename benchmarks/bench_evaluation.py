"""Benchmark: evaluate generated plans of 100, 1,000 and 10,000 indicators × 20 years × 30 breakdown cells.

Run from the project root: `python benchmarks/bench_evaluation.py`. Prints seconds (median of
3, wall clock and this process's CPU time, which other work on a shared machine does not inflate)
for the overall evaluation and the breakdown evaluation at each size, how the total grows, and
the load average; 1,000 indicators must take at most 0.5 s and 10,000 about 10 times that
(issue 14; exit status 1 when either is missed).
"""

import os
import statistics
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
# 10× the indicators may take 10× the time, with a fifth for measuring on a shared machine.
LINEAR_GROWTH = 12.0
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


def median_time(function, *arguments) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of REPEATS calls."""
    walls, cpus = [], []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        function(*arguments)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    settings = Settings()
    load = os.getloadavg()
    print(
        f"評価エンジンのベンチマーク（{len(YEARS)}年度 × 全体+{len(CELLS)}区分、{REPEATS}回の中央値、括弧内はCPU時間）"
    )
    print(f"開始時の負荷（load average 1/5/15分）: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    print(f"{'指標数':>8} {'観測値の行数':>12} {'全体(秒)':>14} {'区分別(秒)':>16} {'合計(秒)':>16} {'増加率':>7}")
    previous = None
    totals = {}
    for size in SIZES:
        indicators, observations = generate(size)
        overall = median_time(evaluate_indicators, indicators, observations, settings)
        breakdowns = median_time(evaluate_breakdowns, indicators, observations, settings)
        total = (overall[0] + breakdowns[0], overall[1] + breakdowns[1])
        totals[size] = total
        growth = f"×{total[0] / previous[0]:.1f}（×{total[1] / previous[1]:.1f}）" if previous else "—"
        print(
            f"{size:>11,} {len(observations):>18,} {overall[0]:>7.3f}（{overall[1]:.3f}） "
            f"{breakdowns[0]:>7.3f}（{breakdowns[1]:.3f}） {total[0]:>7.3f}（{total[1]:.3f}） {growth}"
        )
        previous = total
    load = os.getloadavg()
    print(f"終了時の負荷（load average 1/5/15分）: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    within = totals[1_000][0] <= LIMIT_SECONDS
    print(
        f"1,000指標: {totals[1_000][0]:.3f}秒（CPU {totals[1_000][1]:.3f}秒、"
        f"目標 {LIMIT_SECONDS:g}秒以内: {'達成' if within else '未達'}）"
    )
    growth = totals[10_000][0] / totals[1_000][0], totals[10_000][1] / totals[1_000][1]
    linear = growth[0] <= LINEAR_GROWTH
    print(
        f"10,000指標 ÷ 1,000指標: ×{growth[0]:.1f}（CPU ×{growth[1]:.1f}、"
        f"線形なら×10、×{LINEAR_GROWTH:g}以内: {'達成' if linear else '未達'}）"
    )
    return 0 if within and linear else 1


if __name__ == "__main__":
    sys.exit(main())
