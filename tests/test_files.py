"""Output files are replaced in one step: after any failure the previous file is intact and no temp file is left."""

import errno
from dataclasses import replace
from pathlib import Path

import pytest

from analytics import reports, store
from analytics.cli import main
from analytics.files import write_file_atomically


def _fills_half_then_disk_full(stream) -> None:
    stream.write(b"<html>half a report")
    raise OSError(errno.ENOSPC, "No space left on device")


def _fails_midway(stream) -> None:
    stream.write(b"<html>half a report")
    raise RuntimeError("renderer bug")


@pytest.mark.parametrize(
    ("write", "raised"), [(_fills_half_then_disk_full, OSError), (_fails_midway, RuntimeError)], ids=["ENOSPC", "bug"]
)
def test_a_failed_write_leaves_the_previous_file_and_no_temporary_file(tmp_path: Path, write, raised: type) -> None:
    target = tmp_path / "報告書.html"
    write_file_atomically(target, lambda stream: stream.write(b"<html>the good report</html>"))
    with pytest.raises(raised) as failure:
        write_file_atomically(target, write)
    assert target.read_bytes() == b"<html>the good report</html>"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["報告書.html"]
    if raised is OSError:
        # The error names the file the user asked for, not the temporary one.
        assert failure.value.filename == str(target)


def test_export_that_fails_midway_keeps_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    target = tmp_path / "報告書.html"
    assert main(["export", "--format", "html", "--output", str(target)]) == 0
    good = target.read_bytes()

    def render_then_fail(_report) -> bytes:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(reports.FORMATS, "html", replace(reports.FORMATS["html"], render=render_then_fail))
    capsys.readouterr()
    assert main(["export", "--format", "html", "--output", str(target)]) == 1
    assert capsys.readouterr().err == (
        f"エラー: ディスクの空きがないため「{target}」に書き込めませんでしたので、"
        "不要なファイルを消して空きを作ってから、もう一度実行してください。\n"
    )
    assert target.read_bytes() == good
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith("store")) == ["報告書.html"]
