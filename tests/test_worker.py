"""Reading in a worker process: a crash, a memory hog or a hang in the child costs one message, never the caller."""

import os
import time
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from analytics import spreadsheets, store
from analytics.importer import read_files
from analytics.spreadsheets import SpreadsheetError
from analytics.upload import (
    preview_file,
    preview_upload,
    preview_upload_isolated,
    read_preview,
    tabulate_preview,
    write_preview,
)
from analytics.worker import WorkerError, run_limited

UPLOADS = Path(__file__).resolve().parent / "fixtures" / "upload"
MEGABYTE = 1024 * 1024


def _abort(*, on_progress) -> None:
    os.abort()


def _allocate(megabytes: int, *, on_progress) -> bytes:
    return bytes(megabytes * MEGABYTE)


def _sleep(seconds: float, *, on_progress) -> None:
    time.sleep(seconds)


def _count(files: int, *, on_progress) -> str:
    for index in range(files):
        on_progress(index, f"file{index}.xlsx")
    return "read"


def _raise(*, on_progress) -> None:
    raise SpreadsheetError("a.xlsx: 読めません。", sheet="調査結果", cell="A1")


def _write_then_abort(name: str, *, on_progress) -> None:
    Path(name).write_bytes(b"half a preview")
    os.abort()


@pytest.mark.parametrize(
    ("work", "arguments", "seconds", "message"),
    [
        (
            _abort,
            (),
            60,
            "ファイルを読み込む処理が途中で異常終了したため中止しましたので、Excel で開いて「名前を付けて保存」で"
            "保存し直すか、ファイルを分けてからもう一度アップロードしてください（何も書き込んでいません）。",
        ),
        (
            _allocate,
            (400,),
            60,
            "ファイルを読み込むのに使えるメモリ（100 MB）を超えたため中止しましたので、不要なシートや行を"
            "削除してファイルを小さくするか、ファイルを分けてからもう一度アップロードしてください（何も書き込んでいません）。",
        ),
        (
            _sleep,
            (30,),
            1,
            "ファイルの読み込みが 1 秒を超えたため中止しましたので、不要なシートや行を削除して"
            "ファイルを小さくするか、ファイルを分けてからもう一度アップロードしてください（何も書き込んでいません）。",
        ),
    ],
    ids=["abort", "memory", "time"],
)
def test_a_failing_worker_gives_one_sentence_and_the_caller_lives_on(
    work, arguments: tuple, seconds: float, message: str
) -> None:
    # Generous time for the abort and memory cases: on a busy machine starting the child alone may take seconds.
    with pytest.raises(WorkerError) as failed:
        run_limited(work, arguments, memory_bytes=100 * MEGABYTE, seconds=seconds)
    assert str(failed.value) == message


def _read_without_the_extent_check(content: bytes, *, on_progress) -> int:
    # In the child only: what would happen had the stray cell not been refused before the dense read.
    spreadsheets._check_xlsx_extents = lambda *_arguments: None
    return len(spreadsheets.read_sheets("stray_cell.xlsx", content))


def test_a_native_reader_that_aborts_on_a_huge_allocation_costs_one_message() -> None:
    content = (UPLOADS / "stray_cell.xlsx").read_bytes()
    with pytest.raises(WorkerError) as failed:
        run_limited(_read_without_the_extent_check, (content,), memory_bytes=1024 * MEGABYTE, seconds=60)
    assert str(failed.value).startswith("ファイルを読み込む処理が途中で異常終了したため中止しました")


def test_progress_result_and_the_work_s_own_error_come_back_to_the_caller() -> None:
    seen = []
    result = run_limited(
        _count, (3,), memory_bytes=100 * MEGABYTE, seconds=30, on_progress=lambda *step: seen.append(step)
    )
    assert (result, seen) == ("read", [(0, "file0.xlsx"), (1, "file1.xlsx"), (2, "file2.xlsx")])
    with pytest.raises(SpreadsheetError) as raised:
        run_limited(_raise, (), memory_bytes=100 * MEGABYTE, seconds=30)
    assert (str(raised.value), raised.value.sheet, raised.value.cell) == ("a.xlsx: 読めません。", "調査結果", "A1")


def test_the_isolated_preview_is_the_same_preview(engine: Engine) -> None:
    files = read_files([UPLOADS / "wide_simple.xlsx", UPLOADS / "stray_cell.xlsx"])
    indicators = store.read_plans(engine)[-1].indicators
    current, seen_batch = store.read_observations(engine), store.read_data_version(engine)[0]
    direct = preview_upload(files, indicators, current, seen_batch, today=date(2026, 4, 1))
    isolated = preview_upload_isolated(files, indicators, current, seen_batch, today=date(2026, 4, 1))
    pd.testing.assert_frame_equal(tabulate_preview(isolated), tabulate_preview(direct))
    assert [str(issue) for issue in isolated.validation.issues] == [str(issue) for issue in direct.validation.issues]
    assert isolated.seen_batch == seen_batch


def _long_csv(file: int, rows: int, codes: list[str]) -> tuple[str, bytes]:
    """A long-layout CSV of `rows` distinct area values (fixed seed), within the reader's cell limit."""
    rng = np.random.default_rng(file)
    areas = [f"地区{file}-{number:04d}" for number in range(-(-rows // (len(codes) * 10)))]
    keys = pd.MultiIndex.from_product([codes, range(2015, 2025), areas]).to_frame(index=False).head(rows)
    frame = pd.DataFrame(
        {
            "年度": keys[1],
            "指標": keys[0],
            "値": rng.uniform(5, 95, rows).round(1),
            "回答者数": rng.integers(30, 200, rows),
            "区分": "地域",
            "区分値": keys[2],
        }
    )
    return f"part{file}.csv", frame.to_csv(index=False).encode()


def test_a_preview_of_200_000_rows_fits_in_150_mb_and_reports_the_rows_read(engine: Engine) -> None:
    indicators = store.read_plans(engine)[-1].indicators
    codes = indicators.query("unit == '%'")["code"].tolist()
    files = [_long_csv(file, 100_000, codes) for file in range(2)]
    seen = []
    with preview_file() as name:
        run_limited(
            partial(write_preview, name, today=date(2026, 4, 1)),
            (files, indicators, store.read_observations(engine), store.read_data_version(engine)[0]),
            memory_bytes=150 * MEGABYTE,
            seconds=300,
            on_progress=lambda *step: seen.append(step),
        )
        preview = read_preview(name)
    assert preview.counts == {"new": 200_000, "unchanged": 0, "changed": 0, "error": 0}
    assert not Path(name).exists()  # the preview's file is removed once read
    # Every 10,000 rows read, counting both files (and their header rows), then the check of all rows.
    assert seen == [
        (0, "part0.csv", 0),
        *[(0, "part0.csv", rows) for rows in range(10_000, 100_001, 10_000)],
        (0, "part0.csv", 100_001),
        (1, "part1.csv", 100_001),
        *[(1, "part1.csv", 100_001 + rows) for rows in range(10_000, 100_001, 10_000)],
        (1, "part1.csv", 200_002),
        (2, "", 200_002),
    ]


def test_a_worker_that_dies_after_writing_its_preview_leaves_no_file_behind() -> None:
    with pytest.raises(WorkerError), preview_file() as name:
        run_limited(partial(_write_then_abort, name), (), memory_bytes=100 * MEGABYTE, seconds=60)
    assert not Path(name).exists()
