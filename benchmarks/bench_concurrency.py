"""Benchmark: `status` and a page rerun, idle and while a 1,000,000-row import holds the write lock.

Run from the project root: `python benchmarks/bench_concurrency.py [DATABASE_URL]` (default: a new
SQLite file). Readers must not wait for the import: each figure under the import must stay within 2×
its idle figure. The import runs in its own process, as another user's would; the readings are taken
only while it is inside its write transaction.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import store
from analytics.bootstrap import prepare_store

ROOT = Path(__file__).resolve().parents[1]
ROWS = 1_000_000
IDLE_RUNS = 5

# The other user's import: 1M new rows (10 indicators × 10 years × 10,000 areas) written as one batch.
# Marked as sample rows: real ones would withdraw the sample's overall values in the same batch,
# leaving no overall value to grade once it commits (the page then has no year to show).
_IMPORT = """
import sys
import numpy as np
import pandas as pd
from analytics import store
engine = store.open_store(sys.argv[1])
codes = store.read_plans(engine)[-1].indicators.query("unit == '%'")["code"].tolist()[:10]
keys = pd.MultiIndex.from_product([codes, range(2015, 2025), range(10_000)]).to_frame(index=False)
rng = np.random.default_rng(5)
frame = pd.DataFrame({
    "indicator_code": keys[0], "fiscal_year": keys[1], "dimension": "地域",
    "category": "地区" + keys[2].astype(str), "value": rng.uniform(5, 95, len(keys)).round(1),
    "respondents": pd.array(rng.integers(30, 200, len(keys)), dtype="Int64"), "note": "", "sample": True,
})
print("writing", flush=True)
store.record_batch(engine, frame, [store.SourceFile("large.csv", "0" * 64, len(frame))], "benchmark")
print("done", flush=True)
"""


def _time_status(url: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analytics", "status"],
        cwd=ROOT,
        env={**os.environ, store.DATABASE_URL_VARIABLE: url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _time_rerun(app: AppTest) -> float:
    start = time.perf_counter()
    app.run()
    assert not app.exception, app.exception
    return time.perf_counter() - start


def _measure(url: str, app: AppTest, going: Callable[[], bool]) -> tuple[list[float], list[float]]:
    """Alternate `status` runs and page reruns while `going()`; keep only pairs that ended before it stopped."""
    status, rerun = [], []
    while going():
        status_time, rerun_time = _time_status(url), _time_rerun(app)
        if going():
            status.append(status_time)
            rerun.append(rerun_time)
    return status, rerun


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{folder}/bench.sqlite3"
        prepare_store(url).dispose()
        os.environ[store.DATABASE_URL_VARIABLE] = url
        st.cache_resource.clear()
        st.cache_data.clear()
        app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        app.run()  # cold: fills the caches

        idle_status = [_time_status(url) for _ in range(IDLE_RUNS)]
        idle_rerun = [_time_rerun(app) for _ in range(IDLE_RUNS)]

        writer = subprocess.Popen([sys.executable, "-c", _IMPORT, url], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "writing"
        time.sleep(1)  # into record_batch's write transaction
        started = time.perf_counter()
        busy_status, busy_rerun = _measure(url, app, lambda: writer.poll() is None)
        import_seconds = time.perf_counter() - started + 1
        assert writer.wait() == 0
        assert writer.stdout.read().strip() == "done"
        assert store.read_batches(store.open_store(url))["added"].iloc[0] == ROWS

    print(f"store: {'SQLite (WAL)' if url.startswith('sqlite') else 'PostgreSQL'}")
    print(f"import of {ROWS:,} rows: write phase {import_seconds:.1f} s; readings taken in it: {len(busy_status)}")
    print(f"{'what':<26}{'idle':>10}{'importing':>12}{'ratio':>8}")
    for label, idle, busy in (
        ("status (end to end)", idle_status, busy_status),
        ("page rerun (概要)", idle_rerun, busy_rerun),
    ):
        idle_median, busy_median = statistics.median(idle), statistics.median(busy)
        print(f"{label:<26}{idle_median:>9.2f}s{busy_median:>11.2f}s{busy_median / idle_median:>8.2f}")


if __name__ == "__main__":
    main()
