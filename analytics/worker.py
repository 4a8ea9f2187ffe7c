"""Running risky work (reading an uploaded file) in a child process with memory and time limits."""

import logging
import multiprocessing
import os
import resource
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

# forkserver: children start from a small, clean process that has already imported the readers,
# never from a copy of the busy server (fork) and without importing pandas anew each time (spawn).
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["analytics.upload"])
_log = logging.getLogger(__name__)


class WorkerError(RuntimeError):
    """The work in the child ran out of memory or time, or crashed; the message is one Japanese sentence."""


def run_limited(
    work: Callable[..., Any],
    arguments: tuple,
    *,
    memory_bytes: int,
    seconds: float,
    on_progress: Callable[..., None] | None = None,
) -> Any:
    """`work(*arguments, on_progress=...)` run in a child process that may use `memory_bytes` more
    address space than it starts with and `seconds` of time; whatever happens inside (even an abort
    in native code), the caller gets the result, the work's own exception, or a WorkerError.

    Progress reported by the child is passed to `on_progress` here, in the caller's process.
    """
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_work_in_child, args=(sender, work, arguments, memory_bytes), daemon=True)
    child.start()
    sender.close()
    try:
        return _receive(receiver, child, seconds, memory_bytes, on_progress)
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def _receive(
    receiver: Connection,
    child: multiprocessing.process.BaseProcess,
    seconds: float,
    memory_bytes: int,
    on_progress: Callable[..., None] | None,
) -> Any:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if not receiver.poll(min(left, 0.5)):
            continue
        try:
            kind, *payload = receiver.recv()
        except EOFError:
            # The child died without a word: killed by the kernel, or aborted inside a native reader.
            child.join()
            _log.error("reading worker ended with exit code %s", child.exitcode)
            raise WorkerError(_CRASHED) from None
        if kind == "progress" and on_progress:
            on_progress(*payload)
        elif kind == "done":
            return payload[0]
        elif kind == "raised":
            raise payload[0]
        elif kind == "memory":
            raise WorkerError(_OUT_OF_MEMORY.format(megabytes=memory_bytes // 1024 // 1024))
        elif kind == "failed":
            raise RuntimeError(f"reading worker failed:\n{payload[0]}")
    raise WorkerError(_TOO_SLOW.format(seconds=f"{seconds:g}"))


_CRASHED = (
    "ファイルを読み込む処理が途中で異常終了したため中止しましたので、Excel で開いて「名前を付けて保存」で"
    "保存し直すか、ファイルを分けてからもう一度アップロードしてください（何も書き込んでいません）。"
)
_OUT_OF_MEMORY = (
    "ファイルを読み込むのに使えるメモリ（{megabytes:,} MB）を超えたため中止しましたので、不要なシートや行を"
    "削除してファイルを小さくするか、ファイルを分けてからもう一度アップロードしてください（何も書き込んでいません）。"
)
_TOO_SLOW = (
    "ファイルの読み込みが {seconds} 秒を超えたため中止しましたので、不要なシートや行を削除して"
    "ファイルを小さくするか、ファイルを分けてからもう一度アップロードしてください（何も書き込んでいません）。"
)


def _work_in_child(sender: Connection, work: Callable[..., Any], arguments: tuple, memory_bytes: int) -> None:
    limit = _address_space() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = work(*arguments, on_progress=lambda *report: sender.send(("progress", *report)))
    except MemoryError:
        sender.send(("memory",))
        return
    except Exception as error:
        try:
            sender.send(("raised", error))
        except Exception:
            # An exception that cannot be pickled travels as its traceback.
            sender.send(("failed", traceback.format_exc()))
        return
    try:
        sender.send(("done", result))
    except MemoryError:
        # Sending pickles the whole result first: a result too large for the limit is the file's size too.
        sender.send(("memory",))


def _address_space() -> int:
    """The child's virtual memory size now: the limit is counted on top of what the readers already take."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
