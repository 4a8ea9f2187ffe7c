"""The one place that talks SQL: schema, plan versions, observations and upload batches."""

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from analytics import vocabulary as v
from analytics.observations import CHANGED, KEY, NEW, classify_observations
from analytics.plan import Plan
from analytics.schemas import IndicatorFrame, NodeFrame, ObservationFrame, YearlyTargetFrame

DEFAULT_DATABASE = Path(__file__).resolve().parent.parent / "var" / "dashboard.sqlite3"
DATABASE_URL_VARIABLE = "DASHBOARD_DATABASE_URL"
MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent / "migrations"
# How long a writer waits for another writer before giving up with StoreBusyError; readers never wait.
LOCK_TIMEOUT_SECONDS = 5
_WRITING = "dashboard_writing"
_WRITE_LOCK_KEY = 0x5A4B_4B59  # any fixed number, the same in every process of the app
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout expires

metadata = sa.MetaData()

# The schema's generation as apps from before migrations (alembic_version) read it: they refuse a
# version above 1, so each revision that such an app would misread sets it (see migrations/).
schema_info = sa.Table(
    "schema_info",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

plan_versions = sa.Table(
    "plan_versions",
    metadata,
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("label", sa.String, nullable=False),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("source", sa.String, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    # The plan's own level names as JSON ({"policy": "基本目標", …}); NULL means the demo's defaults.
    sa.Column("level_names", sa.String),
    # Set for a revision saved on the 計画の管理 page (null for one loaded from a plan file):
    # who saved it, why, and which earlier revision it brings back when it is a restore.
    sa.Column("saved_by", sa.String),
    sa.Column("reason", sa.String),
    sa.Column("restored_from", sa.Integer),
)

plan_nodes = sa.Table(
    "plan_nodes",
    metadata,
    sa.Column("revision", sa.ForeignKey("plan_versions.revision", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String, primary_key=True),
    sa.Column("code", sa.String, primary_key=True),
    sa.Column("parent_code", sa.String),
    sa.Column("policy_code", sa.String, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("lead_department", sa.String),
    sa.Column("related_departments", sa.String),
)

plan_indicators = sa.Table(
    "plan_indicators",
    metadata,
    sa.Column("revision", sa.ForeignKey("plan_versions.revision", ondelete="CASCADE"), primary_key=True),
    sa.Column("code", sa.String, primary_key=True),
    sa.Column("policy_code", sa.String, nullable=False),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("respondent", sa.String, nullable=False),
    sa.Column("unit", sa.String, nullable=False),
    sa.Column("higher_is_better", sa.Boolean, nullable=False),
    sa.Column("baseline_year", sa.Integer, nullable=False),
    sa.Column("baseline_value", sa.Float, nullable=False),
    sa.Column("target_year", sa.Integer, nullable=False),
    sa.Column("target_value", sa.Float, nullable=False),
    sa.Column("sample", sa.Boolean, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("survey_name", sa.String),
    sa.Column("survey_question", sa.String),
    sa.Column("counted_answers", sa.String),
    sa.Column("survey_subjects", sa.String),
    sa.Column("survey_timing", sa.String),
    sa.Column("data_source", sa.String),
    sa.Column("lead_department", sa.String),
    sa.Column("related_departments", sa.String),
    # The baseline's own n and the surveyed population's size (sampling error, finite population).
    sa.Column("baseline_respondents", sa.Integer, nullable=True),
    sa.Column("population", sa.Integer, nullable=True),
)

plan_yearly_targets = sa.Table(
    "plan_yearly_targets",
    metadata,
    sa.Column("revision", sa.ForeignKey("plan_versions.revision", ondelete="CASCADE"), primary_key=True),
    sa.Column("indicator_code", sa.String, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String, nullable=False),
    sa.Column("undoes_batch_id", sa.ForeignKey("batches.id")),
    # True for the step that withdrew the sample results when the first real batch came in.
    sa.Column("withdraws_sample", sa.Boolean),
)

batch_files = sa.Table(
    "batch_files",
    metadata,
    sa.Column("batch_id", sa.ForeignKey("batches.id"), primary_key=True),
    sa.Column("file_name", sa.String, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
)

observations = sa.Table(
    "observations",
    metadata,
    sa.Column("indicator_code", sa.String, primary_key=True),
    sa.Column("fiscal_year", sa.Integer, primary_key=True),
    sa.Column("dimension", sa.String, primary_key=True),
    sa.Column("category", sa.String, primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("respondents", sa.Integer),
    sa.Column("note", sa.String, nullable=False),
    sa.Column("sample", sa.Boolean, nullable=False),
    sa.Column("batch_id", sa.ForeignKey("batches.id"), nullable=False),
)

# Every value a batch brought, and the value it replaced (old_* all null when the row was new),
# so that any batch can be undone exactly and nothing an upload overwrote is lost.
observation_history = sa.Table(
    "observation_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("indicator_code", sa.String, nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("dimension", sa.String, nullable=False),
    sa.Column("category", sa.String, nullable=False),
    sa.Column("old_value", sa.Float),
    sa.Column("old_respondents", sa.Integer),
    sa.Column("old_note", sa.String),
    sa.Column("old_sample", sa.Boolean),
    sa.Column("old_batch_id", sa.Integer),
    sa.Column("new_value", sa.Float),
    sa.Column("new_respondents", sa.Integer),
    sa.Column("new_note", sa.String),
    sa.Column("new_sample", sa.Boolean),
    sa.Index("ix_observation_history_code_year", "indicator_code", "fiscal_year"),
)

# Local accounts for the upload page; only a salted hash of each password is kept (see accounts.py).
users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("password_hash", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
    # The 担当課 whose 取組 an editor may report on, as a JSON list; none: every 取組.
    sa.Column("departments", sa.String),
)

# Failed sign-ins per typed account name, shared by every session and process, so that guessing
# slows down however many browsers or servers are used; cleared by a successful sign-in.
sign_in_failures = sa.Table(
    "sign_in_failures",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
)

# 所見 (a manager's commentary) per indicator and fiscal year. Every save is a new row, so that
# earlier wording and who wrote it stay on record; the newest row is the commentary, blank clears it.
commentary = sa.Table(
    "commentary",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator_code", sa.String, nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("text", sa.String, nullable=False),
    sa.Column("written_by", sa.String, nullable=False),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_commentary_year_code", "fiscal_year", "indicator_code"),
)

# 取組項目 reports per fiscal year (issue 15). Every save is a new row so that earlier versions and who
# entered them stay on record; the newest row per action and year counts. batch_id is set for rows
# that came from an imported 調査票 (undo deletes them, bringing the earlier version back).
# One imported set of 調査票, kept apart from `batches` so that the データ取込 history stays about results.
action_batches = sa.Table(
    "action_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String, nullable=False),
    sa.Column("file_names", sa.String, nullable=False),
    sa.Column("undone_at", sa.DateTime(timezone=True)),
    # True for the step that withdrew the sample reports when the first real data came in.
    sa.Column("withdraws_sample", sa.Boolean),
)

action_reports = sa.Table(
    "action_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("action_code", sa.String, nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("result", sa.String, nullable=False),
    sa.Column("sessions", sa.Integer),
    sa.Column("participants", sa.Integer),
    sa.Column("issues", sa.String, nullable=False),
    sa.Column("direction", sa.String, nullable=False),
    sa.Column("department", sa.String, nullable=False),
    sa.Column("entered_by", sa.String, nullable=False),
    sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sample", sa.Boolean, nullable=False),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("action_batches.id")),
    # The action_batches step that withdrew this sample report; undoing that step brings it back.
    sa.Column("withdrawn_in", sa.Integer),
    sa.Index("ix_action_reports_year_code", "fiscal_year", "action_code"),
)

# 二次評価 per 基本施策 (or 施策の方向) and fiscal year, versioned like action_reports.
secondary_evaluations = sa.Table(
    "secondary_evaluations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("node_code", sa.String, nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("grade", sa.String(1), nullable=False),
    sa.Column("comment", sa.String, nullable=False),
    sa.Column("evaluated_by", sa.String, nullable=False),
    sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_secondary_evaluations_year_code", "fiscal_year", "node_code"),
)

# 公表 of a fiscal year's results and 所見 to citizens. Every decision is a new row (publishing or
# withdrawing), so who released what and when stays on record; the newest row per year decides.
publications = sa.Table(
    "publications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False),
    sa.Column("decided_by", sa.String, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_publications_year", "fiscal_year"),
)

# Choices made for the whole store, e.g. that it was started without the sample data.
store_settings = sa.Table(
    "store_settings",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("value", sa.String, nullable=False),
)
_NO_SAMPLE = "no_sample"

_OBSERVATION_COLUMNS = list(ObservationFrame.to_schema().columns)


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message is Japanese and says what to do."""


class StoreBusyError(StoreError):
    """Another import holds the write lock longer than a writer waits."""

    def __init__(self) -> None:
        super().__init__("他の取込が実行中です。しばらくしてからもう一度実行してください。")


class ConflictError(StoreError):
    """An import would overwrite stored values without --replace; `changes` lists them."""

    def __init__(self, changes: pd.DataFrame) -> None:
        self.changes = changes
        super().__init__(
            f"既に登録済みの値と異なる行が {len(changes)} 件あります。"
            "上書きする場合は --replace を付けて取り込んでください（元の値は履歴に残ります）。"
        )


class StaleBatchError(StoreError):
    """Another batch was recorded after the caller looked at the store; it must look again."""

    def __init__(self, expected: int, latest: int) -> None:
        super().__init__(
            f"確認している間に、ほかの取込や取り消し（取込 {latest}）が記録されました。"
            "画面を読み込み直して内容を確かめてから、もう一度実行してください。"
        )
        self.expected, self.latest = expected, latest


@dataclass(frozen=True)
class SourceFile:
    """A file that went into a batch, identified by name and content hash."""

    name: str
    sha256: str
    row_count: int

    @classmethod
    def from_bytes(cls, name: str, content: bytes, row_count: int) -> "SourceFile":
        return cls(name=name, sha256=hashlib.sha256(content).hexdigest(), row_count=row_count)


@dataclass(frozen=True)
class BatchResult:
    """What one batch did: rows added, changed, left as they were, and (only an undo) removed.

    `batch_id` is None when every row equalled the stored value and so no batch was recorded.
    """

    batch_id: int | None
    added: int
    changed: int
    unchanged: int
    removed: int = 0
    withdrawal: "BatchResult | None" = None


def database_url() -> str:
    """The store's URL: DASHBOARD_DATABASE_URL, or a SQLite file under var/ (kept out of git)."""
    return os.environ.get(DATABASE_URL_VARIABLE) or f"sqlite:///{DEFAULT_DATABASE}"


def describe_location(engine: Engine) -> str:
    """Where the data lives, for telling the user; never shows a password."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return str(Path(url.database).resolve()) if url.database else "（メモリ上）"
    return url.render_as_string(hide_password=True)


def open_store(url: str | None = None) -> Engine:
    """Connect, creating or upgrading the schema when it is not at the newest revision.

    A store already at the newest revision is only read, so that starting the app never waits
    for a running import; otherwise the schema is changed under the write lock, so that any
    number of processes may start at once on a new database and exactly one creates it.
    """
    url = url or database_url()
    engine = sa.create_engine(url)
    if engine.url.get_backend_name() == "sqlite":
        if engine.url.database:
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        _configure_sqlite(engine)
    sa.event.listen(engine, "handle_error", _raise_busy)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != _migrations().get_current_head():
        with _write_transaction(engine) as connection:
            _migrate(connection)
    if engine.dialect.name == "sqlite":
        _use_wal(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling is turned off so that a read begins a plain (deferred)
    # transaction and a write BEGIN IMMEDIATE: the write lock is taken at the start, and two uploads
    # cannot both read "no conflict" and then both write.
    @sa.event.listens_for(engine, "connect")
    def _connect(connection, _record) -> None:
        connection.isolation_level = None
        connection.execute(f"PRAGMA busy_timeout = {LOCK_TIMEOUT_SECONDS * 1000}")
        connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        writing = connection.get_execution_options().get(_WRITING, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _use_wal(engine: Engine) -> None:
    # WAL lets readers go on while an import writes. The mode is kept in the file, so it is set only
    # once the file is known to be ours (a foreign file is refused before), outside any transaction.
    # Processes starting at once on a new store may switch it together: SQLite then refuses all but
    # one at once (no busy wait, which could deadlock), and the others try again until it is WAL.
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    connection = engine.raw_connection()
    try:
        while True:
            try:
                connection.driver_connection.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if (getattr(error, "sqlite_errorcode", 0) & 0xFF) != sqlite3.SQLITE_BUSY:
                    raise
                if time.monotonic() > deadline:
                    raise StoreBusyError() from error
                time.sleep(0.05)
    finally:
        connection.close()


def _raise_busy(context: sa.engine.ExceptionContext) -> None:
    """Turn "the write lock is held too long" from either database into StoreBusyError."""
    original = context.original_exception
    sqlite_busy = (getattr(original, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY
    if sqlite_busy or getattr(original, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
        raise StoreBusyError() from original


@contextmanager
def _write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """One transaction holding the store's single write lock, committed when the block ends.

    SQLite takes it with BEGIN IMMEDIATE; PostgreSQL with a transaction-scoped advisory lock.
    Either waits at most LOCK_TIMEOUT_SECONDS, then raises StoreBusyError.
    """
    with engine.connect() as connection:
        connection.execution_options(**{_WRITING: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_WRITE_LOCK_KEY)))
            yield connection


def _migrations() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIRECTORY))


_NEWER = "データベースの形式（版 {}）がこのアプリより新しいため開けません。アプリを最新版に更新してください。"
_NOT_OURS = (
    f"{DATABASE_URL_VARIABLE} に空のデータベースを指定してください（このデータベースには何も書き込んでいません）。"
)


def _migrate(connection: sa.Connection) -> None:
    """Bring the schema to the newest revision, or refuse a database that is not ours to change."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    config.attributes["connection"] = connection
    current = MigrationContext.configure(connection).get_current_revision()
    tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    known = {script.revision for script in _migrations().walk_revisions()}
    if current is None and "schema_info" in tables:
        version = connection.execute(sa.select(schema_info.c.version)).scalar()
        if version is not None and version > 1:
            raise StoreError(_NEWER.format(version))
        if version != 1:
            raise StoreError(
                f"データベースの形式（版 {'不明' if version is None else version}）は正式版より前の試作版のもので、移行できません。"
                f"{DATABASE_URL_VARIABLE} に新しいデータベースを指定し、調査結果を取り込み直してください。"
            )
        # Made before migrations existed: exactly revision 1.
        alembic_command.stamp(config, "0001")
    elif current is None and tables:
        listed = "、".join(sorted(tables)[:5])
        raise StoreError(
            f"このデータベースには別のアプリの表（{listed}）があり、ダッシュボードのものではないため使えません。{_NOT_OURS}"
        )
    elif current is not None and current not in known:
        if "schema_info" not in tables:
            raise StoreError(f"このデータベースは別のアプリが管理しています（版 {current}）。{_NOT_OURS}")
        raise StoreError(_NEWER.format(current))
    alembic_command.upgrade(config, "head")


def sync_plans(engine: Engine, plans: list[Plan]) -> list[int]:
    """Store each plan revision that is new or whose file changed; returns the revisions written.

    Checks first without the write lock, so that a start-up with nothing new never waits for an import.
    """
    with engine.connect() as connection:
        if not _plans_to_write(connection, plans):
            return []
    with _write_transaction(engine) as connection:
        changed = _plans_to_write(connection, plans)
        for plan in changed:
            for table in (plan_yearly_targets, plan_nodes, plan_indicators, plan_versions):
                connection.execute(table.delete().where(table.c.revision == plan.revision))
            _insert_plan(connection, plan, plan.revision)
    return [plan.revision for plan in changed]


def _plans_to_write(connection: sa.Connection, plans: list[Plan]) -> list[Plan]:
    stored = dict(connection.execute(sa.select(plan_versions.c.revision, plan_versions.c.sha256)).all())
    return [plan for plan in plans if stored.get(plan.revision) != plan.sha256]


def add_plan_revisions(engine: Engine, plans: list[Plan]) -> list[int | None]:
    """Store each plan as a new revision after the existing ones, all in one transaction.

    A plan identical to a stored revision (same content fingerprint) is skipped (None in the
    result), so importing the same file twice changes nothing."""
    numbers: list[int | None] = []
    with _write_transaction(engine) as connection:
        known = set(connection.execute(sa.select(plan_versions.c.sha256)).scalars())
        last = connection.execute(sa.select(sa.func.max(plan_versions.c.revision))).scalar() or 0
        for plan in plans:
            if plan.sha256 in known:
                numbers.append(None)
                continue
            last += 1
            _insert_plan(connection, plan, last)
            known.add(plan.sha256)
            numbers.append(last)
    return numbers


def _insert_plan(connection: sa.Connection, plan: Plan, revision: int, **saved: object) -> None:
    """Write one plan revision; `saved` holds loaded_at and, for a revision saved on the 計画の管理
    page, saved_by, reason and restored_from."""
    connection.execute(
        plan_versions.insert().values(
            revision=revision,
            label=plan.label,
            title=plan.title,
            source=plan.source,
            sha256=plan.sha256,
            level_names=json.dumps(plan.levels, ensure_ascii=False),
            **({"loaded_at": datetime.now(UTC)} | saved),
        )
    )
    frames = ((plan_nodes, plan.nodes), (plan_indicators, plan.indicators), (plan_yearly_targets, plan.yearly_targets))
    for table, frame in frames:
        if not frame.empty:
            connection.execute(table.insert(), _records(frame.assign(revision=revision)))


def add_plan_revision(
    engine: Engine,
    base: Plan,
    indicators: pd.DataFrame,
    label: str,
    saved_by: str,
    reason: str,
    saved_at: datetime,
    restored_from: int | None = None,
) -> int:
    """Store `base`'s structure and 年次目標 with `indicators` as the next revision, which becomes the
    current plan; returns its number. Earlier revisions are never changed."""
    indicators = IndicatorFrame.validate(indicators)
    content = pd.concat([base.nodes, indicators, base.yearly_targets]).to_csv(index=False).encode("utf-8")
    plan = replace(
        base, label=label, source="計画の管理", sha256=hashlib.sha256(content).hexdigest(), indicators=indicators
    )
    with _write_transaction(engine) as connection:
        revision = (connection.execute(sa.select(sa.func.max(plan_versions.c.revision))).scalar() or 0) + 1
        _insert_plan(
            connection,
            plan,
            revision,
            loaded_at=saved_at,
            saved_by=saved_by,
            reason=reason,
            restored_from=restored_from,
        )
    return revision


def read_plan_revisions(engine: Engine) -> pd.DataFrame:
    """Every plan revision, oldest first: revision, label, source, loaded_at (UTC), saved_by, reason, restored_from."""
    columns = ["revision", "label", "source", "loaded_at", "saved_by", "reason", "restored_from"]
    query = sa.select(*(plan_versions.c[c] for c in columns)).order_by(plan_versions.c.revision)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    return frame.assign(loaded_at=pd.to_datetime(frame["loaded_at"], utc=True)).astype({"restored_from": "Int64"})


def read_plans(engine: Engine) -> list[Plan]:
    """Every stored plan revision, oldest first; the last one is the current plan."""
    with engine.connect() as connection:
        versions = connection.execute(sa.select(plan_versions).order_by(plan_versions.c.revision)).mappings().all()
        nodes = pd.read_sql(sa.select(plan_nodes).order_by(plan_nodes.c.position), connection)
        indicators = pd.read_sql(sa.select(plan_indicators).order_by(plan_indicators.c.position), connection)
        yearly = pd.read_sql(
            sa.select(plan_yearly_targets).order_by(
                plan_yearly_targets.c.indicator_code, plan_yearly_targets.c.fiscal_year
            ),
            connection,
        )
    return [
        Plan(
            title=version["title"],
            label=version["label"],
            revision=version["revision"],
            source=version["source"],
            sha256=version["sha256"],
            nodes=NodeFrame.validate(_of_revision(nodes, version["revision"])),
            indicators=IndicatorFrame.validate(_of_revision(indicators, version["revision"])),
            levels=v.KIND_LABELS | json.loads(version["level_names"] or "{}"),
            yearly_targets=YearlyTargetFrame.validate(_of_revision(yearly, version["revision"])),
        )
        for version in versions
    ]


def _of_revision(frame: pd.DataFrame, revision: int) -> pd.DataFrame:
    return frame[frame["revision"] == revision].drop(columns="revision").reset_index(drop=True)


def read_observations(engine: Engine) -> pd.DataFrame:
    """All stored observations in the ObservationFrame shape, sorted by key."""
    with engine.connect() as connection:
        frame = pd.read_sql(sa.select(*[observations.c[c] for c in _OBSERVATION_COLUMNS]), connection)
    return ObservationFrame.validate(frame.sort_values(KEY).reset_index(drop=True))


def read_data_version(engine: Engine) -> tuple[int, int]:
    """A cheap fingerprint that changes whenever plans or observations change (for caches): the
    newest batch, and when a plan revision was last written, in microseconds (a revision rewritten
    in place, as when the shipped demo plan changes, keeps its number and its node count)."""
    # One statement: every rerun of every page asks, several times.
    newest = sa.select(
        sa.select(sa.func.max(batches.c.id)).scalar_subquery(),
        sa.select(sa.func.max(plan_versions.c.loaded_at)).scalar_subquery(),
    )
    with engine.connect() as connection:
        batch, written = connection.execute(newest).one()
    return batch or 0, 0 if written is None else round(written.timestamp() * 1_000_000)


def read_data_stamp(engine: Engine) -> str:
    """The data version plus when the newest batch and the first plan revision were written, so that
    a store deleted and made again at the same place never carries an earlier store's stamp (for
    caches that outlive the process)."""
    with engine.connect() as connection:
        batch, batch_time = connection.execute(
            sa.select(batches.c.id, batches.c.created_at).order_by(batches.c.id.desc()).limit(1)
        ).first() or (0, None)
        created = connection.execute(sa.select(sa.func.min(plan_versions.c.loaded_at))).scalar()
        nodes = connection.execute(sa.select(sa.func.count()).select_from(plan_nodes)).scalar() or 0
    return f"{describe_location(engine)}|{batch}|{batch_time}|{nodes}|{created}"


def read_last_update(engine: Engine) -> datetime | None:
    """When the newest batch was written, in UTC."""
    with engine.connect() as connection:
        latest = connection.execute(sa.select(sa.func.max(batches.c.created_at))).scalar()
    return latest.replace(tzinfo=UTC) if latest and latest.tzinfo is None else latest


def record_batch(
    engine: Engine,
    incoming: pd.DataFrame,
    files: list[SourceFile],
    user: str,
    *,
    replace: bool = False,
    expected_batch: int | None = None,
) -> BatchResult:
    """Write validated observations as one batch, all or nothing.

    Rows equal to what is stored are skipped, and when all are, no batch is recorded (an empty
    batch would only clutter the history and make open previews stale); rows that would change a stored value raise
    ConflictError unless `replace`, and the replaced values are kept in observation_history.
    With `expected_batch` (the newest batch id the caller saw), a batch recorded since raises
    StaleBatchError, so that what an editor confirmed is what gets written. Real (non-sample)
    results withdraw any sample results first, in the same transaction and as a batch of their
    own (`withdrawal`), so fiction never mixes with real data and the withdrawal can be undone.
    """
    incoming = ObservationFrame.validate(incoming)
    with _write_transaction(engine) as connection:
        _check_latest_batch(connection, expected_batch)
        real = not incoming.empty and not incoming["sample"].any()
        withdrawal = _withdraw_sample(connection, user) if real else None
        if real:
            # The sample 取組 reports go with the sample results, as a step of the action history.
            _withdraw_sample_actions(connection, user, datetime.now(UTC))
        current = _read_keys(connection, incoming)
        classified = classify_observations(current, incoming)
        changed = classified[classified["change"] == CHANGED]
        if not changed.empty and not replace:
            raise ConflictError(changed.reset_index(drop=True))
        writes = classified[classified["change"].isin([NEW, CHANGED])]
        if writes.empty:
            return BatchResult(batch_id=None, added=0, changed=0, unchanged=len(classified), withdrawal=withdrawal)
        batch_id = connection.execute(
            batches.insert().values(created_at=datetime.now(UTC), created_by=user).returning(batches.c.id)
        ).scalar_one()
        connection.execute(
            batch_files.insert(),
            [{"batch_id": batch_id, "file_name": f.name, "sha256": f.sha256, "row_count": f.row_count} for f in files],
        )
        _apply(connection, batch_id, writes, current)
    counts = classified["change"].value_counts()
    return BatchResult(
        batch_id=batch_id,
        added=int(counts.get(NEW, 0)),
        changed=int(counts.get(CHANGED, 0)),
        unchanged=int(len(classified) - counts.get(NEW, 0) - counts.get(CHANGED, 0)),
        withdrawal=withdrawal,
    )


def _withdraw_sample(connection: sa.Connection, user: str) -> BatchResult | None:
    """Remove every sample observation as one batch whose history keeps them, so undo restores them."""
    sample = pd.read_sql(sa.select(observations).where(observations.c.sample), connection)
    if sample.empty:
        return None
    batch_id = connection.execute(
        batches.insert()
        .values(created_at=datetime.now(UTC), created_by=user, withdraws_sample=True)
        .returning(batches.c.id)
    ).scalar_one()
    sample = sample.astype({"respondents": "Int64"})
    history = sample.rename(columns={c: f"old_{c}" for c in ["value", "respondents", "note", "sample", "batch_id"]})
    connection.execute(observation_history.insert(), _records(history.assign(batch_id=batch_id)))
    connection.execute(observations.delete().where(observations.c.sample))
    return BatchResult(batch_id=batch_id, added=0, changed=0, unchanged=0, removed=len(sample))


def decline_sample(engine: Engine) -> None:
    """Remember that this store was started empty, so the sample data is never loaded into it."""
    with _write_transaction(engine) as connection:
        if connection.execute(sa.select(store_settings.c.name).where(store_settings.c.name == _NO_SAMPLE)).first():
            return
        connection.execute(store_settings.insert().values(name=_NO_SAMPLE, value="true"))


def is_sample_declined(engine: Engine) -> bool:
    """Whether `init --empty` started this store without the sample data."""
    with engine.connect() as connection:
        query = sa.select(store_settings.c.value).where(store_settings.c.name == _NO_SAMPLE)
        return connection.execute(query).scalar() is not None


def count_sample_observations(engine: Engine) -> int:
    """How many stored observations are sample data (the first real batch withdraws them)."""
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).where(observations.c.sample)).scalar_one()


def _check_latest_batch(connection: sa.Connection, expected_batch: int | None) -> None:
    # The caller holds the write lock (_write_transaction), so the newest batch id cannot move under us.
    if expected_batch is not None:
        latest = connection.execute(sa.select(sa.func.max(batches.c.id))).scalar() or 0
        if latest != expected_batch:
            raise StaleBatchError(expected_batch, latest)


def _read_keys(connection: sa.Connection, incoming: pd.DataFrame) -> pd.DataFrame:
    codes = sorted(incoming["indicator_code"].unique())
    query = sa.select(observations).where(observations.c.indicator_code.in_(codes))
    stored = pd.read_sql(query, connection)
    return stored.astype({"respondents": "Int64"})


def _apply(connection: sa.Connection, batch_id: int, writes: pd.DataFrame, current: pd.DataFrame) -> None:
    old = current.rename(columns={c: f"old_{c}" for c in ["value", "respondents", "note", "sample", "batch_id"]})
    history = writes[[*KEY, "value", "respondents", "note", "sample"]].merge(
        old[[*KEY, "old_note", "old_sample", "old_batch_id"]], on=KEY, how="left"
    )
    history = history.assign(
        batch_id=batch_id,
        old_value=writes["old_value"].to_numpy(),
        old_respondents=writes["old_respondents"].to_numpy(),
    ).rename(
        columns={"value": "new_value", "respondents": "new_respondents", "note": "new_note", "sample": "new_sample"}
    )
    connection.execute(observation_history.insert(), _records(history))
    _delete_keys(connection, writes[writes["change"] == CHANGED])
    rows = writes[_OBSERVATION_COLUMNS].assign(batch_id=batch_id)
    connection.execute(observations.insert(), _records(rows))


def _delete_keys(connection: sa.Connection, keys: pd.DataFrame) -> None:
    if keys.empty:
        return
    condition = [observations.c[k] == sa.bindparam(f"key_{k}") for k in KEY]
    parameters = _records(keys[KEY].rename(columns={k: f"key_{k}" for k in KEY}))
    connection.execute(observations.delete().where(*condition), parameters)


def undo_batch(engine: Engine, batch_id: int, user: str, *, expected_batch: int | None = None) -> BatchResult:
    """Put back exactly what the batch replaced (values, n, notes, which batch wrote them) and remove
    what it added, as a new batch that records the undo; nothing is deleted from the history.

    Refused with StoreError when a later batch has changed the same values since: that one must be
    undone first, or the undo would silently throw its values away.
    """
    batch_id = int(batch_id)
    with _write_transaction(engine) as connection:
        _check_latest_batch(connection, expected_batch)
        if connection.execute(sa.select(batches.c.id).where(batches.c.id == batch_id)).scalar() is None:
            raise StoreError(f"取込 {batch_id} はありません。履歴を読み込み直してください。")
        history = pd.read_sql(
            sa.select(observation_history).where(observation_history.c.batch_id == batch_id), connection
        ).astype({"old_respondents": "Int64", "new_respondents": "Int64"})
        if history.empty:
            raise StoreError(f"取込 {batch_id} は値を何も変えていないため、取り消すものがありません。")
        current = _read_keys(connection, history)
        later = _changed_since(connection, batch_id, history, current)
        if later:
            raise StoreError(
                f"取込 {batch_id} の後に、同じ値を取込 {'、'.join(map(str, later))} が変更しています。"
                f"先に取込 {later[-1]} から新しい順に取り消してください。"
            )
        undo_id = connection.execute(
            batches.insert()
            .values(created_at=datetime.now(UTC), created_by=user, undoes_batch_id=batch_id)
            .returning(batches.c.id)
        ).scalar_one()
        swapped = {f"old_{c}": f"new_{c}" for c in ("value", "respondents", "note", "sample")}
        reverse = history[[*KEY, *swapped, *swapped.values()]].rename(
            columns=swapped | {new: old for old, new in swapped.items()}
        )
        reverse = reverse.assign(batch_id=undo_id, old_batch_id=batch_id)
        connection.execute(observation_history.insert(), _records(reverse))
        _delete_keys(connection, history)
        restored = history[history["old_value"].notna()]
        rows = pd.DataFrame(
            {
                **{k: restored[k] for k in KEY},
                **{c: restored[f"old_{c}"] for c in ("value", "respondents", "note", "sample")},
                "batch_id": restored["old_batch_id"].astype(int),
            }
        )
        if not rows.empty:
            connection.execute(observations.insert(), _records(rows))
    removed = int(history["old_value"].isna().sum())
    added = int(history["new_value"].isna().sum())
    return BatchResult(
        batch_id=undo_id, added=added, changed=len(history) - removed - added, unchanged=0, removed=removed
    )


def _changed_since(connection: sa.Connection, batch_id: int, history: pd.DataFrame, current: pd.DataFrame) -> list[int]:
    """Later batches that changed any value this batch wrote (empty when its values still stand)."""
    merged = history.merge(current, on=KEY, how="left")
    written = history["new_value"].notna().to_numpy()
    same = (
        merged["value"].astype(float).round(9).eq(merged["new_value"].astype(float).round(9))
        & merged["respondents"].astype("Int64").fillna(-1).eq(merged["new_respondents"].fillna(-1))
        & merged["note"].eq(merged["new_note"])
    )
    still = (written & same.to_numpy()) | (~written & merged["value"].isna().to_numpy())
    if still.all():
        return []
    codes = sorted(history["indicator_code"].unique())
    later = pd.read_sql(
        sa.select(observation_history.c.batch_id, *(observation_history.c[k] for k in KEY)).where(
            observation_history.c.batch_id > batch_id, observation_history.c.indicator_code.in_(codes)
        ),
        connection,
    )
    touched = later.merge(history[~still][KEY], on=KEY)
    return sorted(int(b) for b in touched["batch_id"].unique())


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values with None for missing, which every DB driver accepts.

    Column-wise `tolist()` yields native ints and floats and is several times faster than to_dict.
    """
    columns = {name: frame[name].astype(object).where(frame[name].notna(), None).tolist() for name in frame.columns}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def read_batches(engine: Engine) -> pd.DataFrame:
    """Every batch, newest first, with its files and how many rows it added, changed and removed
    (only an undo removes), and `undoes_batch_id` for an undo."""
    old, new = observation_history.c.old_value, observation_history.c.new_value
    history = (
        sa.select(
            observation_history.c.batch_id,
            sa.func.sum(sa.case((old.is_(None), 1), else_=0)).label("added"),
            sa.func.sum(sa.case((old.is_not(None) & new.is_not(None), 1), else_=0)).label("changed"),
            sa.func.sum(sa.case((new.is_(None), 1), else_=0)).label("removed"),
        )
        .group_by(observation_history.c.batch_id)
        .subquery()
    )
    files = (
        sa.select(batch_files.c.batch_id, sa.func.aggregate_strings(batch_files.c.file_name, "、").label("files"))
        .group_by(batch_files.c.batch_id)
        .subquery()
    )
    query = (
        sa.select(
            batches,
            sa.func.coalesce(files.c.files, "").label("files"),
            sa.func.coalesce(history.c.added, 0).label("added"),
            sa.func.coalesce(history.c.changed, 0).label("changed"),
            sa.func.coalesce(history.c.removed, 0).label("removed"),
        )
        .outerjoin(files, files.c.batch_id == batches.c.id)
        .outerjoin(history, history.c.batch_id == batches.c.id)
        .order_by(batches.c.id.desc())
    )
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


def read_observation_history(engine: Engine, batch_id: int) -> pd.DataFrame:
    """What one batch wrote: each key with the value before (old_*, null when new) and after (new_*)."""
    query = (
        sa.select(observation_history)
        .where(observation_history.c.batch_id == int(batch_id))
        .order_by(*(observation_history.c[k] for k in KEY))
    )
    with engine.connect() as connection:
        return pd.read_sql(query, connection).astype({"old_respondents": "Int64", "new_respondents": "Int64"})


def add_user(engine: Engine, name: str, password_hash: str, role: str, departments: Sequence[str] = ()) -> None:
    """Create a local account (with the 担当課 it reports for, if any); StoreError when the name is taken."""
    with _write_transaction(engine) as connection:
        if connection.execute(sa.select(users.c.name).where(users.c.name == name)).first():
            raise StoreError(f"ユーザー「{name}」は既に登録されています。別の名前にしてください。")
        connection.execute(
            users.insert().values(
                name=name,
                password_hash=password_hash,
                role=role,
                created_at=datetime.now(UTC),
                departments=_encode_departments(departments),
            )
        )


def read_user(engine: Engine, name: str) -> dict | None:
    """One local account (name, password_hash, role, created_at, disabled_at, departments), or None."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.name == name)).mappings().first()
    return dict(row) | {"departments": _decode_departments(row["departments"])} if row else None


def read_users(engine: Engine) -> pd.DataFrame:
    """Every local account but its password hash, by name; departments as a tuple (empty: every 取組)."""
    query = sa.select(
        users.c.name, users.c.role, users.c.created_at, users.c.disabled_at, users.c.departments
    ).order_by(users.c.name)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    return frame.assign(departments=[_decode_departments(text) for text in frame["departments"]])


def set_user_departments(engine: Engine, name: str, departments: Sequence[str]) -> None:
    """Replace the 担当課 of an account; StoreError when there is no such account."""
    update_user(engine, name, departments=_encode_departments(departments))


def _encode_departments(departments: Sequence[str]) -> str | None:
    return json.dumps(list(departments), ensure_ascii=False) if departments else None


def _decode_departments(text: object) -> tuple[str, ...]:
    # pandas reads a NULL as NaN, a single row as None.
    return tuple(json.loads(text)) if isinstance(text, str) and text else ()


def update_user(engine: Engine, name: str, **values: object) -> None:
    """Change an account's password_hash, disabled_at or departments; StoreError when there is no such account."""
    with _write_transaction(engine) as connection:
        if connection.execute(users.update().where(users.c.name == name).values(**values)).rowcount == 0:
            raise StoreError(f"ユーザー「{name}」は登録されていません。一覧を読み込み直してください。")


def read_sign_in_failures(engine: Engine, name: str) -> tuple[int, datetime | None]:
    """How many sign-ins for `name` failed in a row, and when the last one did (UTC)."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(sign_in_failures).where(sign_in_failures.c.name == name)).first()
    if row is None:
        return 0, None
    last = row.last_failed_at
    return row.failures, last.replace(tzinfo=UTC) if last.tzinfo is None else last


def record_sign_in_failure(engine: Engine, name: str, when: datetime) -> None:
    """Count one more failed sign-in for `name`."""
    with _write_transaction(engine) as connection:
        counted = connection.execute(
            sign_in_failures.update()
            .where(sign_in_failures.c.name == name)
            .values(failures=sign_in_failures.c.failures + 1, last_failed_at=when)
        ).rowcount
        if not counted:
            connection.execute(sign_in_failures.insert().values(name=name, failures=1, last_failed_at=when))


def clear_sign_in_failures(engine: Engine, name: str) -> None:
    """Forget failed sign-ins for `name` (after a successful sign-in or a password reset)."""
    with _write_transaction(engine) as connection:
        connection.execute(sign_in_failures.delete().where(sign_in_failures.c.name == name))


def write_commentary(engine: Engine, indicator_code: str, fiscal_year: int, text: str, author: str) -> None:
    """Save the 所見 for one indicator and year as a new version (blank text withdraws it)."""
    with _write_transaction(engine) as connection:
        connection.execute(
            commentary.insert().values(
                indicator_code=indicator_code,
                fiscal_year=int(fiscal_year),
                text=text.strip(),
                written_by=author,
                written_at=datetime.now(UTC),
            )
        )


def read_commentary(engine: Engine, fiscal_year: int) -> pd.DataFrame:
    """The current 所見 of every indicator for one year: indicator_code, text, written_by, written_at (UTC).

    Only the newest version of each counts, and an indicator whose newest version is blank has none.
    """
    newest = (
        sa.select(sa.func.max(commentary.c.id))
        .where(commentary.c.fiscal_year == int(fiscal_year))
        .group_by(commentary.c.indicator_code)
    )
    query = (
        sa.select(commentary.c.indicator_code, commentary.c.text, commentary.c.written_by, commentary.c.written_at)
        .where(commentary.c.id.in_(newest), commentary.c.text != "")
        .order_by(commentary.c.indicator_code)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    # SQLite hands back naive datetimes; they were written in UTC.
    written = pd.to_datetime(frame["written_at"])
    return frame.assign(written_at=written.dt.tz_localize(UTC) if written.dt.tz is None else written)


def record_publication(engine: Engine, fiscal_year: int, published: bool, user: str) -> None:
    """Record that `user` published (or withdrew) one fiscal year for citizens, as a new row."""
    with _write_transaction(engine) as connection:
        connection.execute(
            publications.insert().values(
                fiscal_year=int(fiscal_year), published=published, decided_by=user, decided_at=datetime.now(UTC)
            )
        )


def read_publications(engine: Engine) -> pd.DataFrame:
    """Every 公表 decision, oldest first: fiscal_year, published, decided_by, decided_at (UTC)."""
    query = sa.select(
        publications.c.fiscal_year, publications.c.published, publications.c.decided_by, publications.c.decided_at
    ).order_by(publications.c.id)
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    decided = pd.to_datetime(frame["decided_at"])
    return frame.assign(
        published=frame["published"].astype(bool),
        decided_at=decided.dt.tz_localize(UTC) if decided.dt.tz is None else decided,
    )


# Backup and restore. A backup is a SQLite file holding this app's schema and rows, whichever store
# it came from, so that one file restores into either store.
_SQLITE_HEADER = b"SQLite format 3\x00"
_COPY_ROWS = 10_000


def backup_store(engine: Engine, path: Path) -> dict[str, int]:
    """Write a consistent snapshot of every table to `path` while the app runs; returns rows per table.

    SQLite uses its online backup API; PostgreSQL copies the tables in one REPEATABLE READ transaction.
    The file appears only when complete (written next to it, then renamed), so a failure leaves any
    earlier backup at `path` as it was.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            _backup_sqlite(engine, temporary)
        else:
            with engine.connect() as source:
                source.execution_options(isolation_level="REPEATABLE READ")
                with source.begin():
                    _copy_tables(source, temporary)
        counts = _count_rows(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return counts


def _backup_sqlite(engine: Engine, target: Path) -> None:
    source = engine.raw_connection()
    try:
        with sqlite3.connect(target) as copy:
            source.driver_connection.backup(copy)
            # Make the file self-contained: no -wal beside it to lose.
            copy.execute("PRAGMA journal_mode = DELETE")
        copy.close()
    finally:
        source.close()


def _copy_tables(source: sa.Connection, target: Path) -> None:
    copy = open_store(f"sqlite:///{target}")
    try:
        with _write_transaction(copy) as connection:
            for table in metadata.sorted_tables:
                if table is not schema_info:
                    _copy_rows(source, connection, table)
    finally:
        copy.dispose()


def _copy_rows(source: sa.Connection, target: sa.Connection, table: sa.Table) -> None:
    # Times are stored in UTC; SQLite hands them back naive and PostgreSQL in the session's zone,
    # and each store would read the other's form wrongly, so they cross over as UTC.
    times = [c.name for c in table.columns if isinstance(c.type, sa.DateTime) and c.type.timezone]
    result = source.execution_options(yield_per=_COPY_ROWS).execute(sa.select(table))
    for rows in result.mappings().partitions():
        records = [dict(row) for row in rows]
        for record in records:
            for name in times:
                if record[name] is not None:
                    record[name] = _as_utc(record[name])
        target.execute(table.insert(), records)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _count_rows(path: Path) -> dict[str, int]:
    copy = sa.create_engine(f"sqlite:///{path}", poolclass=sa.NullPool)
    with copy.connect() as connection:
        return {
            table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in metadata.sorted_tables
        }


def restore_store(engine: Engine, path: Path) -> dict[str, int]:
    """Copy every table of a backup into this store, which must be empty; returns rows per table.

    A backup from an older version of the app is upgraded (in a temporary copy) first. All or nothing:
    one write transaction.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path} が見つかりません。backup で書き出したファイルを指定してください。")
    with path.open("rb") as file:
        if file.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise StoreError(
                f"{path.name} はこのダッシュボードのバックアップではありません。"
                "`python -m analytics backup` で作ったファイルを指定してください。"
            )
    with _temporary_copy(path) as copy_path:
        backup = open_store(f"sqlite:///{copy_path}")
        try:
            with backup.connect() as source, _write_transaction(engine) as target:
                filled = {
                    table.name: count
                    for table in metadata.sorted_tables
                    if table is not schema_info
                    and (count := target.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                }
                if filled:
                    listed = "、".join(f"{name} {filled[name]:,} 行" for name in sorted(filled))
                    raise StoreError(
                        f"復元先のデータベースが空ではありません（{listed}）。"
                        f"{DATABASE_URL_VARIABLE} に空のデータベースを指定してから、もう一度復元してください。"
                    )
                for table in metadata.sorted_tables:
                    if table is not schema_info:
                        _copy_rows(source, target, table)
                _advance_sequences(target)
        finally:
            backup.dispose()
        return _count_rows(copy_path)


@contextmanager
def _temporary_copy(path: Path) -> Iterator[Path]:
    # Opening a backup may upgrade its schema; the user's file stays as it was.
    copy_path = Path(tempfile.mkdtemp(prefix="dashboard-restore-")) / "backup.sqlite3"
    try:
        shutil.copyfile(path, copy_path)
        yield copy_path
    finally:
        shutil.rmtree(copy_path.parent, ignore_errors=True)


def _advance_sequences(connection: sa.Connection) -> None:
    """PostgreSQL hands out ids from sequences that the copied rows did not move; start them after the
    restored ids so that the next batch does not collide with a restored one."""
    if connection.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            connection.execute(
                sa.select(
                    sa.func.setval(
                        sa.func.pg_get_serial_sequence(table.name, column.name),
                        sa.select(sa.func.coalesce(sa.func.max(column), 0) + 1).scalar_subquery(),
                        False,
                    )
                )
            )


ACTION_REPORT_COLUMNS = [
    "action_code",
    "fiscal_year",
    "status",
    "result",
    "sessions",
    "participants",
    "issues",
    "direction",
    "department",
]


def write_action_reports(
    engine: Engine, reports: pd.DataFrame, user: str, file_names: list[str] | None = None
) -> int | None:
    """Save 取組項目 reports as new versions in one transaction; with `file_names` (an imported
    調査票) they form a batch that can be undone, whose id is returned. Real (non-sample) reports
    first withdraw every sample report, as a step of its own in the history that undo reverses."""
    now = datetime.now(UTC)
    with _write_transaction(engine) as connection:
        sample = reports.get("sample", False)
        if not pd.Series(sample, index=reports.index, dtype=bool).any():
            # Real reports withdraw the fictional ones, so fiction never mixes with what a 担当課 reported.
            _withdraw_sample_actions(connection, user, now)
        batch_id = None
        if file_names is not None:
            batch_id = connection.execute(
                action_batches.insert()
                .values(created_at=now, created_by=user, file_names="、".join(file_names))
                .returning(action_batches.c.id)
            ).scalar_one()
        rows = reports[ACTION_REPORT_COLUMNS].assign(sample=sample, entered_by=user, entered_at=now, batch_id=batch_id)
        connection.execute(action_reports.insert(), _records(rows))
    return batch_id


def _withdraw_sample_actions(connection: sa.Connection, user: str, now: datetime) -> int | None:
    """Mark every sample 取組 report withdrawn by a new step of the action history; its id, or None
    when there was nothing to withdraw. The rows stay, so undoing the step brings them back."""
    present = (action_reports.c.sample == sa.true()) & action_reports.c.withdrawn_in.is_(None)
    if connection.execute(sa.select(sa.func.count()).where(present)).scalar_one() == 0:
        return None
    step = connection.execute(
        action_batches.insert()
        .values(created_at=now, created_by=user, file_names="", withdraws_sample=True)
        .returning(action_batches.c.id)
    ).scalar_one()
    connection.execute(action_reports.update().where(present).values(withdrawn_in=step))
    return step


def undo_action_batch(engine: Engine, batch_id: int) -> int:
    """Take back an action history step: remove the versions an imported 調査票 added, so the earlier
    ones count again, or bring back the sample reports a withdrawal took away; returns how many rows."""
    with _write_transaction(engine) as connection:
        removed = connection.execute(action_reports.delete().where(action_reports.c.batch_id == batch_id)).rowcount
        restored = connection.execute(
            action_reports.update().where(action_reports.c.withdrawn_in == batch_id).values(withdrawn_in=None)
        ).rowcount
        connection.execute(
            action_batches.update().where(action_batches.c.id == batch_id).values(undone_at=datetime.now(UTC))
        )
    return removed + restored


def read_action_batches(engine: Engine) -> pd.DataFrame:
    """Imported 調査票 batches, newest first, for the history with its undo."""
    with engine.connect() as connection:
        return pd.read_sql(sa.select(action_batches).order_by(action_batches.c.id.desc()), connection)


def read_action_reports(engine: Engine) -> pd.DataFrame:
    """The newest version of every 取組項目 report, all years."""
    newest = (
        sa.select(sa.func.max(action_reports.c.id))
        .where(action_reports.c.withdrawn_in.is_(None))
        .group_by(action_reports.c.action_code, action_reports.c.fiscal_year)
    )
    query = (
        sa.select(action_reports)
        .where(action_reports.c.id.in_(newest))
        .order_by(action_reports.c.fiscal_year, action_reports.c.action_code)
    )
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    return frame.drop(columns="withdrawn_in").astype({"sessions": "Int64", "participants": "Int64"})


def write_secondary_evaluation(
    engine: Engine, node_code: str, fiscal_year: int, grade: str, comment: str, user: str
) -> None:
    """Save a 二次評価 as a new version; the newest counts."""
    with _write_transaction(engine) as connection:
        connection.execute(
            secondary_evaluations.insert().values(
                node_code=node_code,
                fiscal_year=int(fiscal_year),
                grade=grade,
                comment=comment.strip(),
                evaluated_by=user,
                evaluated_at=datetime.now(UTC),
            )
        )


def read_secondary_evaluations(engine: Engine, fiscal_year: int) -> pd.DataFrame:
    """The newest 二次評価 per node for one fiscal year."""
    newest = (
        sa.select(sa.func.max(secondary_evaluations.c.id))
        .where(secondary_evaluations.c.fiscal_year == int(fiscal_year))
        .group_by(secondary_evaluations.c.node_code)
    )
    query = sa.select(secondary_evaluations).where(secondary_evaluations.c.id.in_(newest))
    with engine.connect() as connection:
        return pd.read_sql(query.order_by(secondary_evaluations.c.node_code), connection)
