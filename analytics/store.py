"""The one place that talks SQL: schema, plan versions, observations and upload batches."""

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics.observations import CHANGED, KEY, NEW, classify_observations
from analytics.plan import Plan
from analytics.schemas import IndicatorFrame, NodeFrame, ObservationFrame

SCHEMA_VERSION = 1
DEFAULT_DATABASE = Path(__file__).resolve().parent.parent / "var" / "dashboard.sqlite3"
DATABASE_URL_VARIABLE = "DASHBOARD_DATABASE_URL"

metadata = sa.MetaData()

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
)

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String, nullable=False),
    sa.Column("undoes_batch_id", sa.ForeignKey("batches.id")),
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
)

# Local accounts for the upload page; only a salted hash of each password is kept (see accounts.py).
users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("password_hash", sa.String, nullable=False),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
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

_OBSERVATION_COLUMNS = list(ObservationFrame.to_schema().columns)


class StoreError(RuntimeError):
    """The store cannot do what was asked; the message is Japanese and says what to do."""


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
    """What one batch did: rows added, changed, left as they were, and (only an undo) removed."""

    batch_id: int
    added: int
    changed: int
    unchanged: int
    removed: int = 0


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
    """Connect, creating the database file and its schema when they do not exist yet."""
    url = url or database_url()
    engine = sa.create_engine(url)
    if engine.url.get_backend_name() == "sqlite":
        if engine.url.database:
            Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        _serialise_sqlite_writers(engine)
    _ensure_schema(engine)
    return engine


def _serialise_sqlite_writers(engine: Engine) -> None:
    # pysqlite defers BEGIN until the first write, so two uploads could both read "no conflict";
    # BEGIN IMMEDIATE takes the write lock at the start and the second writer waits its turn.
    @sa.event.listens_for(engine, "connect")
    def _connect(connection, _record) -> None:
        connection.isolation_level = None
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA foreign_keys = ON")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _ensure_schema(engine: Engine) -> None:
    metadata.create_all(engine)
    with engine.begin() as connection:
        stored = connection.execute(sa.select(schema_info.c.version)).scalar()
        if stored is None:
            connection.execute(schema_info.insert().values(id=1, version=SCHEMA_VERSION))
        elif stored > SCHEMA_VERSION:
            raise StoreError(
                f"データベースの形式（版 {stored}）がこのアプリ（版 {SCHEMA_VERSION}）より新しいため開けません。"
                "アプリを最新版に更新してください。"
            )


def sync_plans(engine: Engine, plans: list[Plan]) -> list[int]:
    """Store each plan revision that is new or whose file changed; returns the revisions written."""
    written = []
    with engine.begin() as connection:
        stored = dict(connection.execute(sa.select(plan_versions.c.revision, plan_versions.c.sha256)).all())
        for plan in plans:
            if stored.get(plan.revision) == plan.sha256:
                continue
            for table in (plan_nodes, plan_indicators, plan_versions):
                connection.execute(table.delete().where(table.c.revision == plan.revision))
            connection.execute(
                plan_versions.insert().values(
                    revision=plan.revision,
                    label=plan.label,
                    title=plan.title,
                    source=plan.source,
                    sha256=plan.sha256,
                    loaded_at=datetime.now(UTC),
                )
            )
            for table, frame in ((plan_nodes, plan.nodes), (plan_indicators, plan.indicators)):
                connection.execute(table.insert(), _records(frame.assign(revision=plan.revision)))
            written.append(plan.revision)
    return written


def read_plans(engine: Engine) -> list[Plan]:
    """Every stored plan revision, oldest first; the last one is the current plan."""
    with engine.connect() as connection:
        versions = connection.execute(sa.select(plan_versions).order_by(plan_versions.c.revision)).mappings().all()
        nodes = pd.read_sql(sa.select(plan_nodes).order_by(plan_nodes.c.position), connection)
        indicators = pd.read_sql(sa.select(plan_indicators).order_by(plan_indicators.c.position), connection)
    return [
        Plan(
            title=version["title"],
            label=version["label"],
            revision=version["revision"],
            source=version["source"],
            sha256=version["sha256"],
            nodes=NodeFrame.validate(_of_revision(nodes, version["revision"])),
            indicators=IndicatorFrame.validate(_of_revision(indicators, version["revision"])),
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
    """A cheap fingerprint that changes whenever plans or observations change (for caches)."""
    with engine.connect() as connection:
        batch = connection.execute(sa.select(sa.func.max(batches.c.id))).scalar() or 0
        plan = connection.execute(sa.select(sa.func.count()).select_from(plan_nodes)).scalar() or 0
    return batch, plan


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

    Rows equal to what is stored are skipped; rows that would change a stored value raise
    ConflictError unless `replace`, and the replaced values are kept in observation_history.
    With `expected_batch` (the newest batch id the caller saw), a batch recorded since raises
    StaleBatchError, so that what an editor confirmed is what gets written.
    """
    incoming = ObservationFrame.validate(incoming)
    with engine.begin() as connection:
        _hold_write_lock(connection, expected_batch)
        current = _read_keys(connection, incoming)
        classified = classify_observations(current, incoming)
        changed = classified[classified["change"] == CHANGED]
        if not changed.empty and not replace:
            raise ConflictError(changed.reset_index(drop=True))
        batch_id = connection.execute(
            batches.insert().values(created_at=datetime.now(UTC), created_by=user).returning(batches.c.id)
        ).scalar_one()
        connection.execute(
            batch_files.insert(),
            [{"batch_id": batch_id, "file_name": f.name, "sha256": f.sha256, "row_count": f.row_count} for f in files],
        )
        writes = classified[classified["change"].isin([NEW, CHANGED])]
        _apply(connection, batch_id, writes, current)
    counts = classified["change"].value_counts()
    return BatchResult(
        batch_id=batch_id,
        added=int(counts.get(NEW, 0)),
        changed=int(counts.get(CHANGED, 0)),
        unchanged=int(len(classified) - counts.get(NEW, 0) - counts.get(CHANGED, 0)),
    )


def _hold_write_lock(connection: sa.Connection, expected_batch: int | None) -> None:
    # SQLite already holds the write lock (BEGIN IMMEDIATE); other databases take it here, so
    # that two batches never interleave and the newest batch id cannot move under us.
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE batches IN EXCLUSIVE MODE")
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
    if writes.empty:
        return
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
    with engine.begin() as connection:
        _hold_write_lock(connection, expected_batch)
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


def add_user(engine: Engine, name: str, password_hash: str, role: str) -> None:
    """Create a local account; StoreError when the name is taken."""
    with engine.begin() as connection:
        if connection.execute(sa.select(users.c.name).where(users.c.name == name)).first():
            raise StoreError(f"ユーザー「{name}」は既に登録されています。別の名前にしてください。")
        connection.execute(
            users.insert().values(name=name, password_hash=password_hash, role=role, created_at=datetime.now(UTC))
        )


def read_user(engine: Engine, name: str) -> dict | None:
    """One local account (name, password_hash, role), or None."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(users).where(users.c.name == name)).mappings().first()
    return dict(row) if row else None


def write_commentary(engine: Engine, indicator_code: str, fiscal_year: int, text: str, author: str) -> None:
    """Save the 所見 for one indicator and year as a new version (blank text withdraws it)."""
    with engine.begin() as connection:
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
