"""Writing output files so that a failure never leaves a half-written one where a good one was."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


class OutputError(ValueError):
    """An output path that cannot take a file; the message is Japanese and names the path."""


def write_file_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Let `write` fill a temporary file in the same folder, then rename it over `path` in one step,
    so that readers see the old file or the new one, never a part; any failure leaves no temp file
    behind and is raised as OSError naming `path` (not the temporary name)."""
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        # /dev/full, a pipe, a socket: renaming over it would replace the device, not write to it.
        raise OutputError(
            f"「{path}」は通常のファイルではないため書き出せません。保存するファイルの名前を指定してください。"
        )
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise


def _umask() -> int:
    # mkstemp makes the file readable by its owner only; a report should get the usual permissions.
    mask = os.umask(0)
    os.umask(mask)
    return mask
