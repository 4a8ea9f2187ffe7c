"""Every expected fault, on the command line and on the page: one Japanese sentence, never a traceback."""

import errno
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import bootstrap, files, store
from analytics.bootstrap import prepare_store
from analytics.cli import main
from analytics.plan import PLAN_DIRECTORY, load_plans

ROOT = Path(__file__).resolve().parent.parent
GOOD_FILE = ROOT / "tests" / "fixtures" / "import" / "good_long.xlsx"
URL = store.DATABASE_URL_VARIABLE
_LISTENERS: list[Callable] = []


@dataclass(frozen=True)
class Fault:
    """How to cause one fault in `folder`; returns the CLI arguments that meet it and the sentence expected."""

    name: str
    cause: Callable[[Path, pytest.MonkeyPatch], tuple[list[str], str]]
    on_page: bool = True


def _garbage_database(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    path = folder / "store.sqlite3"
    path.write_bytes(b"these are the minutes of the council meeting, not a database" * 100)
    monkeypatch.setenv(URL, f"sqlite:///{path}")
    return ["init"], (
        f"データベースのファイル（{path}）がデータベースではないか壊れているため、"
        f"{URL} で正しいファイルを指定するか、バックアップから戻してください。"
    )


def _read_only_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    # Root may write anywhere, so SQLite's read-only open mode stands in for a folder it may not create
    # a file in: SQLite answers exactly as it does there.
    monkeypatch.chdir(folder)
    monkeypatch.setenv(URL, f"sqlite:///file:{folder / 'new.sqlite3'}?mode=ro&uri=true")
    return ["init"], (
        f"データベースのファイル（file:{folder / 'new.sqlite3'}）を開けない（フォルダがないか書き込めない）ため、"
        f"場所と権限を確かめるか、{URL} で別の場所を指定してください。"
    )


def _read_only_database(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    path = folder / "store.sqlite3"
    prepare_store(f"sqlite:///{path}")
    monkeypatch.chdir(folder)
    monkeypatch.setenv(URL, f"sqlite:///file:{path}?mode=ro&uri=true")
    return ["import", str(GOOD_FILE)], (
        f"データベース（file:{path}）が読み取り専用の場所にあるため書き込めませんので、"
        f"書き込めるフォルダを {URL} で指定してください。"
    )


def _full_disk(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    # SQLite answers a database that may not grow (max_page_count) exactly as it answers a full disk.
    path = folder / "store.sqlite3"
    prepare_store(f"sqlite:///{path}").dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("VACUUM")  # no free page left inside the file either
    monkeypatch.setenv(URL, f"sqlite:///{path}")

    def _no_room(connection, _record) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    sa.event.listen(sa.engine.Engine, "connect", _no_room)
    _LISTENERS.append(_no_room)
    return ["import", str(GOOD_FILE)], (
        f"ディスクの空きがないためデータベース（{path}）に書き込めませんので、空きを作ってからもう一度実行してください。"
    )


def _no_such_scheme(_folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    monkeypatch.setenv(URL, "nosuch://x")
    return ["init"], (
        f"{URL} の値（nosuch://x）はデータベースの URL として使えないため、"
        "「sqlite:///ファイルの場所」か「postgresql+psycopg://ユーザー@サーバー/データベース名」の形で設定し直してください。"
    )


def _unreachable_server(_folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    monkeypatch.setenv(URL, "postgresql+psycopg://dashboard:secret@127.0.0.1:1/x")
    return ["init"], (
        "データベース（postgresql+psycopg://dashboard:***@127.0.0.1:1/x）に接続できないため、"
        f"サーバーが動いているか、{URL} のサーバー名・ポート・ユーザー名を確かめてください。"
    )


def _missing_driver(_folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    monkeypatch.setenv(URL, "mysql+mysqldb://dashboard@db.example/x")
    return ["init"], (
        "必要なモジュール「MySQLdb」が入っていないため、データベース（mysql+mysqldb://dashboard@db.example/x）に"
        f"接続するドライバなら{URL} を確かめ、そうでなければ requirements.txt のパッケージを入れ直してください。"
    )


def _malformed_plan(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    monkeypatch.setenv(URL, f"sqlite:///{folder / 'store.sqlite3'}")
    plans = folder / "plan"
    plans.mkdir()
    for source in PLAN_DIRECTORY.glob("*.yaml"):
        (plans / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (plans / "2_1130.yaml").write_text("title: 計画\nlabel: [素案\n", encoding="utf-8")
    monkeypatch.setattr(bootstrap, "load_plans", lambda: load_plans(plans))
    return ["init"], "2_1130.yaml 3行目: YAML の書式が正しくありません（字下げ、コロン、引用符を確認してください）。"


def _newer_store(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    path = folder / "store.sqlite3"
    engine = prepare_store(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    engine.dispose()
    monkeypatch.setenv(URL, f"sqlite:///{path}")
    return [
        "status"
    ], "データベースの形式（版 0099）がこのアプリより新しいため開けません。アプリを最新版に更新してください。"


def _export_to(target: Callable[[Path, pytest.MonkeyPatch], Path], sentence: str) -> Callable:
    def cause(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
        monkeypatch.setenv(URL, f"sqlite:///{folder / 'store.sqlite3'}")
        output = target(folder, monkeypatch)
        return ["export", "--format", "html", "--output", str(output)], sentence.format(output=output)

    return cause


def _directory(folder: Path, _monkeypatch: pytest.MonkeyPatch) -> Path:
    (folder / "報告書").mkdir()
    return folder / "報告書"


def _read_only_export_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Root may write anywhere: the temporary file is refused as a read-only file system refuses it.
    def refuse(*_arguments, **_keywords):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    return folder / "報告書.html"


FAULTS = [
    Fault("garbage database file", _garbage_database),
    Fault("read-only database folder", _read_only_folder),
    Fault("read-only database", _read_only_database, on_page=False),
    Fault("full disk", _full_disk, on_page=False),
    Fault("unknown URL scheme", _no_such_scheme),
    Fault("unreachable PostgreSQL", _unreachable_server),
    Fault("missing driver", _missing_driver),
    Fault("malformed plan YAML", _malformed_plan),
    Fault("store from a newer version", _newer_store),
    Fault(
        "export to /dev/full",
        _export_to(
            lambda _folder, _monkeypatch: Path("/dev/full"),
            "「/dev/full」は通常のファイルではないため書き出せません。保存するファイルの名前を指定してください。",
        ),
        on_page=False,
    ),
    Fault(
        "export to a directory",
        _export_to(_directory, "「{output}」はフォルダなので、その中に作るファイルの名前まで指定してください。"),
        on_page=False,
    ),
    Fault(
        "export to a read-only folder",
        _export_to(
            _read_only_export_folder,
            "「{output}」は読み取り専用の場所にあるため書き込めませんので、書き込めるフォルダを指定してください。",
        ),
        on_page=False,
    ),
]


@pytest.fixture(autouse=True)
def _no_global_listeners() -> Iterator[None]:
    yield
    while _LISTENERS:
        sa.event.remove(sa.engine.Engine, "connect", _LISTENERS.pop())


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
def test_command_line_says_one_sentence_and_exits_1(
    fault: Fault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments, sentence = fault.cause(tmp_path, monkeypatch)
    capsys.readouterr()
    assert main(arguments) == 1
    out, err = capsys.readouterr()
    assert err == f"エラー: {sentence}\n"
    assert "Traceback" not in out + err


@pytest.mark.parametrize("fault", [fault for fault in FAULTS if fault.on_page], ids=lambda fault: fault.name)
def test_page_shows_one_sentence_and_no_traceback(
    fault: Fault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, sentence = fault.cause(tmp_path, monkeypatch)
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not app.exception
    assert [error.value for error in app.error] == [sentence]
