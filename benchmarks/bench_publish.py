"""Benchmark: build the citizens' site from the sample plan and from a plan ten times its size.

Run from the project root: `python benchmarks/bench_publish.py`. Uses a throwaway SQLite store with
the sample data, every year published; prints seconds, pages and data files per size. The sample
site must build in under 10 seconds (exit status 1 otherwise).
"""

import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import store
from analytics.bootstrap import prepare_store
from analytics.publish.site import SiteContent, write_site

SCALES = (1, 10)
LIMIT_SECONDS = 10.0


def scale(content: SiteContent, factor: int) -> SiteContent:
    """The same plan with every indicator (and its observations) copied `factor` times under new codes."""
    if factor == 1:
        return content
    plan = content.plan
    copies = range(factor)
    indicators = pd.concat(
        [plan.indicators.assign(code=plan.indicators["code"] + f"x{copy}") for copy in copies], ignore_index=True
    )
    observations = pd.concat(
        [
            content.observations.assign(indicator_code=content.observations["indicator_code"] + f"x{copy}")
            for copy in copies
        ],
        ignore_index=True,
    )
    return dataclasses.replace(
        content,
        plan=dataclasses.replace(plan, indicators=indicators.assign(position=range(len(indicators)))),
        observations=observations,
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        engine = prepare_store(url=f"sqlite:///{directory}/bench.db")
        observations = store.read_observations(engine)
        years = sorted(int(year) for year in observations["fiscal_year"].unique())
        content = SiteContent(
            plan=store.read_plans(engine)[-1],
            observations=observations,
            commentary=pd.DataFrame({"indicator_code": [], "text": [], "fiscal_year": []}),
            last_update=store.read_last_update(engine),
            years=years,
        )
        seconds = {}
        for factor in SCALES:
            scaled = scale(content, factor)
            started = time.perf_counter()
            summary = write_site(scaled, Path(directory) / f"site{factor}")
            seconds[factor] = time.perf_counter() - started
            print(
                f"{factor:>2}× plan ({len(scaled.plan.indicators)} indicators): {seconds[factor]:.2f} s,"
                f" {summary.pages} pages, {summary.data_files} data files"
            )
    return 0 if seconds[1] < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
