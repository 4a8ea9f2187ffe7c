"""Benchmark: build the whole-plan reports for the sample data and for a plan with 10× the indicators.

Run from the project root: `python benchmarks/bench_reports.py`. Times gathering the report from
an evaluation plus rendering each format (median of 3), at both sizes; the sample PowerPoint must
take under 5 seconds (exit status 1 otherwise).
"""

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import store
from analytics.assessment import evaluate_plan
from analytics.bootstrap import prepare_store
from analytics.evaluation_settings import load_settings
from analytics.plan import Plan
from analytics.reports import FORMATS
from analytics.reports.report_content import build_report

COPIES = 10
REPEATS = 3
LIMIT_SECONDS = 5.0


def _multiplied(plan: Plan, observations: pd.DataFrame, copies: int) -> tuple[Plan, pd.DataFrame]:
    """The plan with every indicator repeated `copies` times (codes 1-①-0 …), each with the sample's series."""
    indicators = pd.concat(
        [plan.indicators.assign(code=plan.indicators["code"] + f"-{n}") for n in range(copies)], ignore_index=True
    ).assign(position=lambda frame: range(len(frame)))
    rows = pd.concat(
        [observations.assign(indicator_code=observations["indicator_code"] + f"-{n}") for n in range(copies)],
        ignore_index=True,
    )
    return replace(plan, indicators=indicators), rows


def _time(plan: Plan, observations: pd.DataFrame) -> tuple[int, int, dict[str, float]]:
    settings = load_settings()
    evaluation = evaluate_plan(plan.indicators, observations, settings, None, settings.method)
    commentary = pd.DataFrame(columns=["indicator_code", "text", "written_by", "written_at"])
    timings = {}
    for name, report_format in FORMATS.items():
        runs = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            report = build_report(evaluation, plan, commentary, sample=True, today=date.today())
            report_format.render(report)
            runs.append(time.perf_counter() - start)
        timings[name] = statistics.median(runs)
    return len(plan.indicators), len(report.slides), timings


def main() -> int:
    """Print the timings; exit 1 when the sample PowerPoint misses its limit."""
    with tempfile.TemporaryDirectory() as folder:
        engine = prepare_store(f"sqlite:///{folder}/sample.sqlite3")
        plan, observations = store.read_plans(engine)[-1], store.read_observations(engine)
    small = _time(plan, observations)
    large = _time(*_multiplied(plan, observations, COPIES))
    print(f"{'format':<8}{'sample':>22}{f'{COPIES}x indicators':>26}{'growth':>9}")
    for name in FORMATS:
        print(
            f"{name:<8}{small[2][name]:>8.2f} s ({small[0]:>3} ind., {small[1]:>3} sl.)"
            f"{large[2][name]:>9.2f} s ({large[0]:>3} ind., {large[1]:>3} sl.){large[2][name] / small[2][name]:>8.1f}x"
        )
    if small[2]["pptx"] >= LIMIT_SECONDS:
        print(f"the sample PowerPoint took {small[2]['pptx']:.2f} s, over the {LIMIT_SECONDS:.0f} s limit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
