"""The upload workflow without Streamlit: preview every row, commit as one batch, history, template."""

import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.importer import RejectedImportError, Validation, validate_files
from analytics.observations import CHANGE_LABELS, CHANGED, KEY, NEW, classify_observations
from analytics.plan import Plan
from analytics.spreadsheets import cell_reference, write_template
from analytics.worker import run_limited

ERROR = "error"
# Generous for a workbook at the upload size limit; a file that needs more is refused, not read.
READ_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
READ_SECONDS = 120
STATUS_LABELS = {**CHANGE_LABELS, ERROR: "エラー"}
_CITY_TIME = ZoneInfo("Asia/Tokyo")


@dataclass(frozen=True)
class UploadPreview:
    """What an upload would do, row by row, before anything is written.

    `rows` has one row per value read, in file and sheet order, with `status` (new / unchanged /
    changed / error) and what would change; `seen_batch` is the newest batch when it was made;
    `withdrawn_sample` how many sample results confirming would withdraw first.
    """

    validation: Validation
    rows: pd.DataFrame
    seen_batch: int
    withdrawn_sample: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """How many rows have each status, every status present (0 when none)."""
        found = self.rows["status"].value_counts()
        return {status: int(found.get(status, 0)) for status in STATUS_LABELS}

    @property
    def can_commit(self) -> bool:
        """No error anywhere, and something to write."""
        return self.validation.ok and self.counts[NEW] + self.counts[CHANGED] > 0


def preview_upload(
    files: list[tuple[str, bytes]],
    indicators: pd.DataFrame,
    current: pd.DataFrame,
    seen_batch: int,
    *,
    today: date | None = None,
    on_progress: Callable[[int, str, int], None] | None = None,
) -> UploadPreview:
    """Validate the files and compare every valid row with the stored observations (`current`).

    Real results replace the sample results wholesale (see store.record_batch), so they are
    compared with the real observations only and the preview counts the sample rows to go.
    """
    validation = validate_files(files, indicators, today=today, on_progress=on_progress)
    rows = validation.rows
    valid = rows["error"] == ""
    withdrawn = int(current["sample"].sum()) if valid.any() else 0
    current = current[~current["sample"]] if withdrawn else current
    # The rows without an error are the observations confirming would write; only what the
    # comparison needs is taken, in the rows' compact types.
    classified = classify_observations(current, rows.loc[valid, [*KEY, "value", "respondents"]])
    at = valid.to_numpy().nonzero()[0]
    status = np.full(len(rows), list(STATUS_LABELS).index(ERROR), dtype=np.int8)
    status[at] = pd.Categorical(classified["change"], categories=list(STATUS_LABELS)).codes
    old_value = np.full(len(rows), np.nan)
    old_value[at] = classified["old_value"].to_numpy()
    old_respondents = pd.array(np.full(len(rows), pd.NA), dtype="Int64")
    old_respondents[at] = classified["old_respondents"].astype("Int64").array
    del classified
    rows = rows.assign(
        status=pd.Categorical.from_codes(status, categories=list(STATUS_LABELS)),
        old_value=old_value,
        old_respondents=old_respondents,
    )
    return UploadPreview(
        # The validation's rows are these rows (plus the comparison): the worker process then sends
        # a large upload's rows back once, not twice.
        validation=replace(validation, rows=rows),
        rows=rows,
        seen_batch=seen_batch,
        withdrawn_sample=withdrawn,
    )


def describe_progress(index: int, files: int, name: str, rows: int) -> str:
    """Where reading the upload stands, from the reader's progress report (see validate_files)."""
    if index >= files:
        return f"{rows:,} 行を読み込みました。内容を確認しています…"
    return f"{name} を読み込んでいます（{index + 1}/{files} ファイル、{rows:,} 行）"


def describe_withdrawal(count: int) -> str:
    """What confirming does to the sample results, said before it happens."""
    return (
        f"取り込むと、サンプル（架空）の調査結果 {count:,} 件を取り下げます。"
        "取り下げは別の取込として履歴に残り、それを取り消せば元に戻せます。"
    )


def preview_upload_isolated(
    files: list[tuple[str, bytes]],
    indicators: pd.DataFrame,
    current: pd.DataFrame,
    seen_batch: int,
    *,
    today: date | None = None,
    on_progress: Callable[[int, str, int], None] | None = None,
) -> UploadPreview:
    """preview_upload in a worker process with READ_MEMORY_BYTES and READ_SECONDS: a file that
    exhausts memory or crashes a native reader costs the uploader a WorkerError, never the server."""
    with preview_file() as name:
        run_limited(
            partial(write_preview, name, today=today),
            (files, indicators, current, seen_batch),
            memory_bytes=READ_MEMORY_BYTES,
            seconds=READ_SECONDS,
            on_progress=on_progress,
        )
        return read_preview(name)


@contextmanager
def preview_file() -> Iterator[str]:
    """A new temporary file, readable by this user only, for a worker to write its preview into.

    The caller makes and removes it, so a worker killed after writing (time or memory limit, a
    crash) leaves nothing behind: pickling into a file streams the preview, where sending it through
    the worker's pipe would first build the whole pickle in memory, in the worker and in the server.
    """
    handle, name = tempfile.mkstemp(prefix="upload-preview-", suffix=".pickle")
    os.close(handle)
    try:
        yield name
    finally:
        Path(name).unlink(missing_ok=True)


def write_preview(
    name: str,
    files: list[tuple[str, bytes]],
    indicators: pd.DataFrame,
    current: pd.DataFrame,
    seen_batch: int,
    *,
    today: date | None = None,
    on_progress: Callable[[int, str, int], None] | None = None,
) -> None:
    """preview_upload pickled into the file `name` (from preview_file)."""
    preview = preview_upload(files, indicators, current, seen_batch, today=today, on_progress=on_progress)
    with open(name, "wb") as stream:
        pickle.dump(preview, stream, protocol=pickle.HIGHEST_PROTOCOL)


def read_preview(name: str) -> UploadPreview:
    """The preview that write_preview left in the file `name`."""
    with open(name, "rb") as stream:
        return pickle.load(stream)


def tabulate_preview(preview: UploadPreview, part: slice = slice(None)) -> pd.DataFrame:
    """The preview as staff read it: one row per value, in Japanese, with the change spelled out;
    only the `part` of the rows shown, as laying out a million rows takes longer than reading them."""
    rows = preview.rows.iloc[part]
    return pd.DataFrame(
        {
            "判定": rows["status"].map(STATUS_LABELS),
            "ファイル": rows["file"],
            "シート": rows["sheet"],
            "セル": [
                cell_reference(r, c) if c >= 0 else ""
                for r, c in zip(rows["value_row"], rows["value_column"], strict=True)
            ],
            "指標": rows["indicator_code"].astype("str").fillna(rows["indicator_text"].astype("str")),
            "年度": rows["fiscal_year"].map(lambda year: v.format_fiscal_year(int(year)) if pd.notna(year) else ""),
            "区分": [
                "全体" if not dimension else f"{dimension}: {category}"
                for dimension, category in zip(rows["dimension"], rows["category"], strict=True)
            ],
            # An unreadable value is shown as it was written, so staff can find it in the file.
            "値": [
                _number(value) if pd.notna(value) else str(text)
                for value, text in zip(rows["value"], rows["value_text"], strict=True)
            ],
            "回答者数": rows["respondents"].map(_number),
            "変更内容": [_change(row) for row in rows.itertuples()],
            "エラー": rows["error"],
        }
    )


def tabulate_issues(preview: UploadPreview) -> pd.DataFrame:
    """Every problem found, one per row: where it is, and what to do about it."""
    issues = preview.validation.issues
    return pd.DataFrame(
        {
            "ファイル": [issue.file for issue in issues],
            "シート": [issue.sheet for issue in issues],
            "セル": [issue.cell for issue in issues],
            "問題と直し方": [issue.explanation for issue in issues],
        }
    )


def _number(value: object) -> str:
    return "" if pd.isna(value) else f"{value:,.10g}"


def _change(row) -> str:
    if row.status != CHANGED:
        return ""
    parts = []
    if round(row.old_value, 9) != round(row.value, 9):
        parts.append(f"値 {_number(row.old_value)} → {_number(row.value)}")
    if (-1 if pd.isna(row.old_respondents) else row.old_respondents) != (
        -1 if pd.isna(row.respondents) else row.respondents
    ):
        parts.append(f"回答者数 {_number(row.old_respondents) or '—'} → {_number(row.respondents) or '—'}")
    return "、".join(parts)


def commit_upload(engine: Engine, preview: UploadPreview, user: str) -> store.BatchResult:
    """Write a previewed upload as one batch, replacing the values the preview showed as changed.

    Refused with RejectedImportError while any error stands, and with store.StaleBatchError when
    another batch was recorded after the preview was made (the preview would no longer be true).
    """
    if not preview.validation.ok:
        raise RejectedImportError(preview.validation.issues)
    return store.record_batch(
        engine,
        preview.validation.observations,
        preview.validation.sources,
        user,
        replace=True,
        expected_batch=preview.seen_batch,
    )


def describe_result(result: store.BatchResult, undone_batch: int | None = None) -> str:
    """One Japanese sentence saying what a batch (an upload, or the undo of `undone_batch`) did."""
    if undone_batch is not None:
        return (
            f"取込 {undone_batch} を取り消しました（取込 {result.batch_id} として記録）: "
            f"元の値に戻した行 {result.changed + result.added} 件、削除した行 {result.removed} 件。"
        )
    if result.batch_id is None:
        imported = f"変更はありません（{result.unchanged} 行はすべて登録済みの値と同じです）。"
    else:
        imported = (
            f"取込 {result.batch_id} として取り込みました: 新規 {result.added} 件、変更 {result.changed} 件"
            f"（変更なし {result.unchanged} 件）。"
        )
    withdrawn = result.withdrawal
    if withdrawn is None:
        return imported
    return (
        f"サンプル（架空）の調査結果 {withdrawn.removed:,} 件を取り下げました（取込 {withdrawn.batch_id}）。{imported}"
    )


def tabulate_batches(batches: pd.DataFrame) -> pd.DataFrame:
    """The import history as staff read it, newest first, dates with their era in Japan time, file names in full."""
    created = pd.to_datetime(batches["created_at"], utc=True).dt.tz_convert(_CITY_TIME)
    return pd.DataFrame(
        {
            "取込": [f"取込 {int(number)}" for number in batches["id"]],
            "日時": [v.format_japanese_datetime(moment) for moment in created],
            "取込者": batches["created_by"],
            "ファイル": [
                f"（取込 {int(undone)} の取り消し）"
                if pd.notna(undone)
                else "（サンプルデータの取り下げ）"
                if pd.notna(withdrawal) and bool(withdrawal)
                else files
                for undone, withdrawal, files in zip(
                    batches["undoes_batch_id"], batches["withdraws_sample"], batches["files"], strict=True
                )
            ],
            "新規": batches["added"].astype(int),
            "変更": batches["changed"].astype(int),
            "削除": batches["removed"].astype(int),
        }
    )


def template_workbook(plan: Plan, today: date | None = None) -> bytes:
    """The long-layout xlsx template for the current plan, with years from its first baseline to this
    year (a later year cannot have survey results yet, and the importer refuses it)."""
    indicators = plan.indicators
    last = (today or date.today()).year
    years = [v.format_fiscal_year(year) for year in range(int(indicators["baseline_year"].min()), last + 1)]
    return write_template(indicators, years)
