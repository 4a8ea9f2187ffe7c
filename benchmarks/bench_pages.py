"""Benchmark: warm rerun time of every page under AppTest, on the sample data and on 100× as much.

Run from the project root: `python benchmarks/bench_pages.py`. The large data set has 10× the
indicators, 2× the years and 3× the breakdown cells (about 100× the observations). A warm rerun
(caches filled, the user changes nothing) must stay under 300 ms at both sizes.
"""

import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import store
from analytics import vocabulary as v
from analytics.bootstrap import prepare_store
from analytics.plan import load_plans

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["pages/overview.py", "pages/trends.py", "pages/indicator.py", "pages/plan_structure.py"]
WARM_RUNS = 5
SEED = 11


def write_large_store(url: str) -> None:
    """A store with 110 indicators over FY2005–2024, each with 60 breakdown cells."""
    plans = load_plans()
    current = plans[-1]
    rng = np.random.default_rng(SEED)
    copies = []
    for copy in range(10):
        copies.append(
            current.indicators.assign(
                code=current.indicators["code"] + f"-{copy}", name=current.indicators["name"] + f"（{copy}）"
            )
        )
    indicators = pd.concat(copies, ignore_index=True).assign(
        position=lambda frame: range(len(frame)), baseline_year=2005
    )
    engine = store.open_store(url)
    store.sync_plans(
        engine, [*plans, replace(current, indicators=indicators, revision=3, label="ベンチマーク用", sha256="large")]
    )
    cells = [(v.OVERALL, v.OVERALL)] + [(v.AREA, f"地区{i:02d}") for i in range(60)]
    rows = [
        (code, year, dimension, category)
        for code, unit in zip(indicators["code"], indicators["unit"], strict=True)
        for year in range(2005, 2025)
        for dimension, category in (cells if unit == v.PERCENT else cells[:1])
    ]
    frame = pd.DataFrame(rows, columns=["indicator_code", "fiscal_year", "dimension", "category"])
    trend = (frame["fiscal_year"] - 2005) * 0.6
    frame = frame.assign(
        value=np.clip(35 + trend + rng.normal(0, 2, len(frame)), 0, 100).round(1),
        respondents=pd.array(np.where(frame["dimension"] == v.OVERALL, 1200, 60), dtype="Int64"),
        note="",
        sample=True,
    )
    store.record_batch(engine, frame, [store.SourceFile("large.xlsx", "0" * 64, len(frame))], "benchmark")
    print(f"large data set: {len(indicators)} indicators, {len(frame):,} observations")


def _time_pages(url: str) -> dict[str, float]:
    os.environ[store.DATABASE_URL_VARIABLE] = url
    st.cache_resource.clear()
    st.cache_data.clear()
    timings = {}
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    for page in PAGES:
        app.switch_page(page)
        app.run()  # cold: fills the caches
        runs = []
        for _ in range(WARM_RUNS):
            start = time.perf_counter()
            app.run()
            runs.append(time.perf_counter() - start)
        assert not app.exception, app.exception
        timings[page] = statistics.median(runs)
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        small_url = f"sqlite:///{folder}/small.sqlite3"
        prepare_store(small_url)
        large_url = f"sqlite:///{folder}/large.sqlite3"
        write_large_store(large_url)
        small = _time_pages(small_url)
        large = _time_pages(large_url)
    print(f"{'page':<28}{'sample':>10}{'100x':>10}{'ratio':>8}")
    for page in PAGES:
        print(f"{page:<28}{small[page] * 1000:>8.0f}ms{large[page] * 1000:>8.0f}ms{large[page] / small[page]:>8.1f}")


if __name__ == "__main__":
    main()
