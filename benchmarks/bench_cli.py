"""Benchmark: command-line start-up, `--help` and `validate` of a 20-row file against `import pandas`.

Run from the project root: `python benchmarks/bench_cli.py`. Each figure is the median of 5 runs of a
new process, measured end to end; both commands must finish within 3× the time of
`python -c "import pandas"` on the same machine.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics import store
from analytics.bootstrap import prepare_store
from analytics.spreadsheets import write_workbook

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5
ROWS = 20
TARGET_RATIO = 3.0


def _median_seconds(arguments: list[str], environment: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(arguments, cwd=ROOT, env=environment, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _survey_file(folder: Path, codes: list[str]) -> Path:
    """A long-layout workbook of 20 overall values, as staff would validate before importing."""
    path = folder / "twenty_rows.xlsx"
    rows = [(2015 + i // len(codes), codes[i % len(codes)]) for i in range(ROWS)]
    frame = pd.DataFrame(
        {
            "年度": [year for year, _ in rows],
            "指標": [code for _, code in rows],
            "値": [40.0 + i for i in range(ROWS)],
            "回答者数": 1000,
        }
    )
    write_workbook(path, {"調査結果": frame})
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        os.environ[store.DATABASE_URL_VARIABLE] = url
        codes = store.read_plans(prepare_store())[-1].indicators.query("unit == '%'")["code"].tolist()
        survey = _survey_file(Path(folder), codes)
        environment = {**os.environ, "DASHBOARD_LOG_FILE": str(Path(folder) / "bench.log")}
        floor = _median_seconds([sys.executable, "-c", "import pandas"], environment)
        print(f"python -c 'import pandas': {floor:.2f} s")
        met = True
        for label, arguments in (
            ("--help", ["--help"]),
            (f"validate（{ROWS} 行）", ["validate", str(survey)]),
        ):
            seconds = _median_seconds([sys.executable, "-m", "analytics", *arguments], environment)
            ratio = seconds / floor
            met &= ratio <= TARGET_RATIO
            print(f"python -m analytics {label}: {seconds:.2f} s  ({ratio:.2f}× import pandas)")
        print(f"target ≤ {TARGET_RATIO:g}× import pandas: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
