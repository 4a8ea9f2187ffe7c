"""Benchmark: validate + import a 50,000-row long-layout xlsx, against a plain pandas.read_excel; then the
upload preview of 1,000,000 rows.

Run from the project root: `python benchmarks/bench_import.py`. Prints rows per second for both
and their ratio; validate + import must be at least as fast as the plain read (ratio ≥ 1). The
preview of a million rows (eight CSV files of 125,000 rows: a sheet holds at most a million cells)
runs in the upload worker, as on the データ取込 page; its time, the worker's peak memory (RSS,
which must stay under 500 MB) and what the server's memory grows by to receive it are printed.
Last, every bad file of the tests' upload fixtures (and one over the size limit) is refused end to
end, read and checked against a store with the sample data: the slowest must take under a second.
"""

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import store
from analytics.bootstrap import prepare_store
from analytics.importer import RejectedImportError, import_files, read_files, validate_files
from analytics.plan import load_plans
from analytics.spreadsheets import MAX_FILE_BYTES, write_workbook
from analytics.upload import READ_MEMORY_BYTES, preview_file, read_preview, write_preview
from analytics.worker import run_limited

ROWS = 50_000
SEED = 7
PREVIEW_ROWS = 1_000_000
PREVIEW_FILES = 8
BAD_FILES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "upload"
REFUSAL_SECONDS = 1.0


def _long_layout(codes: list[str], rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    areas = [f"地区{i:03d}" for i in range(-(-rows // (len(codes) * 10)))]
    keys = pd.MultiIndex.from_product([codes, range(2015, 2025), areas]).to_frame(index=False).head(rows)
    return pd.DataFrame(
        {
            "年度": keys[1],
            "指標": keys[0],
            "値": rng.uniform(5, 95, rows).round(1),
            "回答者数": rng.integers(30, 200, rows),
            "区分": "地域",
            "区分値": keys[2],
            "備考": "",
        }
    )


def _best_of(runs: int, work) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    plans = load_plans()
    codes = plans[-1].indicators.query("unit == '%'")["code"].tolist()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench_long.xlsx"
        write_workbook(path, {"調査結果": _long_layout(codes, ROWS)})

        # The reference the issue names: a plain read, nothing checked or stored.
        plain = _best_of(3, lambda: pd.read_excel(path, engine="openpyxl"))

        def validate_and_import() -> None:
            database = Path(folder) / "bench.sqlite3"
            database.unlink(missing_ok=True)
            engine = store.open_store(f"sqlite:///{database}")
            store.sync_plans(engine, plans)
            result = import_files(engine, read_files([path]), "benchmark")
            assert result.added == ROWS, result
            engine.dispose()

        ours = _best_of(3, validate_and_import)

    print(f"rows: {ROWS:,} (long layout xlsx, {len(codes)} indicators × 10 years × regional breakdowns)")
    print(f"pandas.read_excel(engine='openpyxl'): {plain:.2f} s  ({ROWS / plain:,.0f} rows/s)")
    print(f"validate + import into SQLite:        {ours:.2f} s  ({ROWS / ours:,.0f} rows/s)")
    print(f"ratio (validate + import speed ÷ plain read speed): {plain / ours:.2f}")


def _preview_with_peak(
    name: str, files: list, indicators: pd.DataFrame, current: pd.DataFrame, *, on_progress
) -> float:
    """In the worker, as the page's worker does: the preview written to its file; the worker's own
    peak resident memory in MB."""
    write_preview(name, files, indicators, current, 0, on_progress=on_progress)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resident_megabytes(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def measure_million_row_preview() -> None:
    """The upload preview of 1,000,000 rows in the worker process: seconds, the worker's peak memory
    and how much the server's memory grows to receive it."""
    plans = load_plans()
    indicators = plans[-1].indicators
    codes = indicators.query("unit == '%'")["code"].tolist()
    files = []
    for number in range(PREVIEW_FILES):
        frame = _long_layout(codes, PREVIEW_ROWS // PREVIEW_FILES).drop(columns="備考")
        frame["区分値"] = frame["区分値"] + f"-{number}"  # every file its own areas: no row repeats another
        files.append((f"part{number}.csv", frame.to_csv(index=False).encode()))
    with tempfile.TemporaryDirectory() as folder:
        engine = store.open_store(f"sqlite:///{folder}/preview.sqlite3")
        store.sync_plans(engine, plans)
        current = store.read_observations(engine)
        engine.dispose()
    start = time.perf_counter()
    with preview_file() as name:
        peak = run_limited(
            _preview_with_peak, (name, files, indicators, current), memory_bytes=READ_MEMORY_BYTES, seconds=600
        )
        # Linux: writing 5 to clear_refs resets VmHWM, so the peak below is the receiving alone.
        Path("/proc/self/clear_refs").write_text("5")
        before = _resident_megabytes("VmRSS")
        preview = read_preview(name)
    seconds = time.perf_counter() - start
    received = _resident_megabytes("VmHWM") - before
    assert preview.counts["new"] == PREVIEW_ROWS, preview.counts
    print(f"upload preview of {PREVIEW_ROWS:,} rows ({PREVIEW_FILES} CSV files) in the worker: {seconds:.1f} s")
    print(f"worker peak memory (RSS): {peak:,.0f} MB (target < 500 MB: {'met' if peak < 500 else 'NOT met'})")
    print(f"server memory to receive the preview: +{received:,.0f} MB at peak")


def measure_refusals() -> None:
    """Each bad upload fixture refused end to end (read, checked, nothing written), median of 3; the slowest against a second."""
    with tempfile.TemporaryDirectory() as folder:
        engine = prepare_store(f"sqlite:///{folder}/refusals.sqlite3")
        indicators = store.read_plans(engine)[-1].indicators
        oversize = Path(folder) / "over_20MB.xlsx"
        oversize.write_bytes(b"PK\x03\x04" + bytes(MAX_FILE_BYTES))
        candidates = [path for path in sorted(BAD_FILES.iterdir()) if path.suffix != ".py"] + [oversize]
        bad = [path for path in candidates if validate_files(read_files([path]), indicators).issues]
        timings = {path.name: _median_refusal(engine, path) for path in bad}
        engine.dispose()
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"  refused {name}: {seconds:.2f} s")
    slowest = max(timings.values())
    met = "met" if slowest < REFUSAL_SECONDS else "NOT met"
    print(f"bad files refused: {len(timings)}, slowest {slowest:.2f} s (target < {REFUSAL_SECONDS:.0f} s: {met})")


def _median_refusal(engine, path: Path) -> float:
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        try:
            import_files(engine, read_files([path]), "benchmark", replace=True)
        except RejectedImportError:
            timings.append(time.perf_counter() - start)
        else:
            raise AssertionError(f"{path.name} was imported, not refused")
    return sorted(timings)[1]


if __name__ == "__main__":
    main()
    measure_million_row_preview()
    measure_refusals()
