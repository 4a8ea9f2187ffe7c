"""The store's schema and locks: migrations, databases that are not ours, concurrent starts and writers."""

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from conftest import postgresql_under_test
from sqlalchemy.engine import Engine

from analytics import store
from analytics.bootstrap import prepare_store
from analytics.cli import main
from analytics.plan import load_plans

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = ROOT / "tests" / "fixtures" / "import"
HEAD = ScriptDirectory(str(store.MIGRATIONS_DIRECTORY)).get_current_head()
BUSY = "他の取込が実行中です。しばらくしてからもう一度実行してください。"
EMPTY_DATABASE = (
    "DASHBOARD_DATABASE_URL に空のデータベースを指定してください（このデータベースには何も書き込んでいません）。"
)


def _version_1_store(url: str) -> Engine:
    """A store as the app made it before migrations: revision 1's tables, schema_info 1, no alembic_version."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(store.MIGRATIONS_DIRECTORY))
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql("DROP TABLE alembic_version")
    return engine


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    names = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    return names


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _observations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_code": ["1-①", "1-②"],
            "fiscal_year": 2022,
            "dimension": "",
            "category": "",
            "value": [45.2, 50.0],
            "respondents": pd.array([1200, None], dtype="Int64"),
            "note": ["", "速報値"],
            "sample": False,
        }
    )


FILE = store.SourceFile(name="survey.xlsx", sha256="0" * 64, row_count=2)


def _fill_as_version_1(engine: Engine) -> None:
    """Rows as the app wrote them before migrations: only revision 1's tables and columns exist."""
    tables = sa.MetaData()
    tables.reflect(engine)
    now = datetime(2024, 4, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            tables.tables["plan_versions"].insert(),
            [
                {
                    "revision": 1,
                    "label": "旧版",
                    "title": "計画",
                    "source": "1.yaml",
                    "sha256": "a" * 64,
                    "loaded_at": now,
                }
            ],
        )
        connection.execute(
            tables.tables["plan_nodes"].insert(),
            [
                {
                    "revision": 1,
                    "kind": "policy",
                    "code": "1",
                    "parent_code": None,
                    "policy_code": "1",
                    "name": "方針",
                    "position": 0,
                }
            ],
        )
        connection.execute(
            tables.tables["plan_indicators"].insert(),
            [
                {
                    "revision": 1,
                    "code": code,
                    "policy_code": "1",
                    "name": f"指標{code}",
                    "respondent": "市民",
                    "unit": "%",
                    "higher_is_better": True,
                    "baseline_year": 2015,
                    "baseline_value": 40.0,
                    "target_year": 2025,
                    "target_value": 60.0,
                    "sample": False,
                    "position": position,
                }
                for position, code in enumerate(["1-①", "1-②"])
            ],
        )
        connection.execute(tables.tables["batches"].insert(), [{"id": 1, "created_at": now, "created_by": "山田"}])
        connection.execute(
            tables.tables["batch_files"].insert(),
            [{"batch_id": 1, "file_name": FILE.name, "sha256": FILE.sha256, "row_count": FILE.row_count}],
        )
        observed = _observations().assign(batch_id=1)
        rows = observed.astype(object).where(observed.notna(), None)
        connection.execute(tables.tables["observations"].insert(), rows.to_dict("records"))


def test_a_version_1_store_is_upgraded_to_the_newest_revision_keeping_its_data(database_url: str) -> None:
    old = _version_1_store(database_url)
    _fill_as_version_1(old)
    old.dispose()

    engine = store.open_store(database_url)

    assert _revision(engine) == HEAD
    pd.testing.assert_frame_equal(store.read_observations(engine), _observations(), check_dtype=False)
    assert store.read_batches(engine)[["id", "created_by", "files"]].to_dict("records") == [
        {"id": 1, "created_by": "山田", "files": "survey.xlsx"}
    ]
    plan = store.read_plans(engine)[-1]
    assert (plan.label, plan.indicators["code"].tolist()) == ("旧版", ["1-①", "1-②"])
    with engine.connect() as connection:
        assert connection.execute(sa.select(store.schema_info.c.version)).scalar() == 2
    indexes = {index["name"] for index in sa.inspect(engine).get_indexes("observation_history")}
    assert "ix_observation_history_code_year" in indexes


def test_the_migrations_create_exactly_the_tables_the_code_declares(database_url: str) -> None:
    """Fails when store.metadata has a table, column or index that no migration creates."""
    engine = store.open_store(database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), store.metadata) == []


def _make_version_0(url: str) -> None:
    engine = _version_1_store(url)
    with engine.begin() as connection:
        connection.execute(sa.update(store.schema_info).values(version=0))


def _make_foreign(url: str) -> None:
    with sa.create_engine(url).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR)")


def _make_foreign_with_alembic(url: str) -> None:
    _make_foreign(url)
    with sa.create_engine(url).begin() as connection:
        connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('ae1027a6acf')")


def _make_newer(url: str) -> None:
    store.open_store(url).dispose()
    with sa.create_engine(url).begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")


def _make_newer_without_migrations(url: str) -> None:
    engine = _version_1_store(url)
    with engine.begin() as connection:
        connection.execute(sa.update(store.schema_info).values(version=2))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _make_version_0,
            "データベースの形式（版 0）は正式版より前の試作版のもので、移行できません。"
            "DASHBOARD_DATABASE_URL に新しいデータベースを指定し、調査結果を取り込み直してください。",
        ),
        (
            _make_foreign,
            "このデータベースには別のアプリの表（customers）があり、ダッシュボードのものではないため使えません。"
            + EMPTY_DATABASE,
        ),
        (
            _make_foreign_with_alembic,
            "このデータベースは別のアプリが管理しています（版 ae1027a6acf）。" + EMPTY_DATABASE,
        ),
        (
            _make_newer,
            "データベースの形式（版 0099）がこのアプリより新しいため開けません。アプリを最新版に更新してください。",
        ),
        (
            _make_newer_without_migrations,
            "データベースの形式（版 2）がこのアプリより新しいため開けません。アプリを最新版に更新してください。",
        ),
    ],
    ids=["version-0", "foreign", "foreign-with-alembic", "newer", "newer-without-migrations"],
)
def test_a_database_that_is_not_ours_to_change_is_refused_and_left_alone(database_url: str, make, message: str) -> None:
    make(database_url)
    tables, journal = _tables(database_url), _journal_mode(database_url)
    with pytest.raises(store.StoreError) as refused:
        store.open_store(database_url)
    assert str(refused.value) == message
    assert (_tables(database_url), _journal_mode(database_url)) == (tables, journal)


def _journal_mode(url: str) -> str | None:
    """SQLite's journal mode, which is kept in the file (None on other databases)."""
    if not url.startswith("sqlite"):
        return None
    with sa.create_engine(url).connect() as connection:
        return connection.exec_driver_sql("PRAGMA journal_mode").scalar()


@pytest.mark.skipif(postgresql_under_test(), reason="WAL is SQLite's; PostgreSQL readers never wait for a writer")
def test_a_sqlite_store_is_in_wal_mode_so_readers_do_not_wait(empty_engine: Engine) -> None:
    assert _journal_mode(empty_engine.url.render_as_string(hide_password=False)) == "wal"


def test_the_command_line_refuses_a_foreign_database_with_the_sentence_and_exit_1(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _make_foreign(database_url)
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    assert main(["status"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("エラー: このデータベースには別のアプリの表（customers）があり")
    assert "Traceback" not in error


_START = """
import sys, time
from analytics.bootstrap import prepare_store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
prepare_store(sys.argv[1])
"""


def test_processes_starting_at_once_on_a_new_store_create_it_once_and_load_the_sample_once(database_url: str) -> None:
    start_at = time.time() + 4  # all have imported pandas by then and start together
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _START, database_url, str(start_at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [(process.wait(timeout=120), process.stderr.read()) for process in processes]
    assert outcomes == [(0, "")] * 4
    engine = store.open_store(database_url)
    batches = store.read_batches(engine)
    assert batches["created_by"].tolist() == ["サンプルデータ"]
    assert [plan.revision for plan in store.read_plans(engine)] == [plan.revision for plan in load_plans()]


@pytest.fixture
def held_lock(engine: Engine, monkeypatch: pytest.MonkeyPatch):
    """Another process's import in progress: the write lock held, one uncommitted batch written."""
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 1)
    holder = store.open_store(engine.url.render_as_string(hide_password=False))
    with store._write_transaction(holder) as connection:
        connection.execute(store.batches.insert().values(created_at=datetime.now(UTC), created_by="長い取込"))
        yield
    holder.dispose()


def test_readers_and_start_up_do_not_wait_for_a_running_import(engine: Engine, held_lock: None) -> None:
    # Waiting for the lock would end in StoreBusyError after a second (held_lock); these must not wait at all.
    opened = prepare_store(engine.url.render_as_string(hide_password=False))
    observations, batches = store.read_observations(opened), store.read_batches(opened)
    assert batches["created_by"].tolist() == ["サンプルデータ"]
    assert len(observations) == len(store.read_observations(engine))


def test_a_writer_that_waits_too_long_is_told_another_import_is_running(engine: Engine, held_lock: None) -> None:
    with pytest.raises(store.StoreBusyError) as refused:
        store.record_batch(engine, _observations(), [FILE], "山田")
    assert str(refused.value) == BUSY


def test_the_command_line_says_another_import_is_running_and_exits_1(
    engine: Engine, held_lock: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, engine.url.render_as_string(hide_password=False))
    assert main(["import", str(IMPORTS / "good_long.xlsx")]) == 1
    assert capsys.readouterr().err == f"エラー: {BUSY}\n"
