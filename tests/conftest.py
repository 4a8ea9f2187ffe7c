"""Shared fixtures: fresh stores (SQLite files, or databases on a throwaway PostgreSQL cluster when
DASHBOARD_TEST_STORE=postgresql), and the app served for browser tests."""

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit_browser import CHROMIUM, CHROMIUM_ARGUMENTS, ROOT, free_port, serve

from analytics import store
from analytics.bootstrap import SAMPLE_DIRECTORY, prepare_store
from analytics.evaluation_cache import CACHE_DIRECTORY_VARIABLE
from analytics.importer import import_files, read_files
from analytics.plan import load_plans

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TEST_STORE_VARIABLE = "DASHBOARD_TEST_STORE"
POSTGRESQL = "postgresql"
_database_numbers = itertools.count(1)


def postgresql_under_test() -> bool:
    """Whether this run tests against PostgreSQL: DASHBOARD_TEST_STORE=postgresql, or a
    DASHBOARD_DATABASE_URL naming a PostgreSQL server."""
    given = os.environ.get(store.DATABASE_URL_VARIABLE, "")
    return os.environ.get(TEST_STORE_VARIABLE) == POSTGRESQL or given.startswith(POSTGRESQL)


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[sa.URL | None]:
    """The server per-test databases are made on: DASHBOARD_DATABASE_URL's, or a throwaway cluster
    (stopped at the end); None when this run tests SQLite."""
    if not postgresql_under_test():
        yield None
        return
    given = os.environ.get(store.DATABASE_URL_VARIABLE, "")
    if given.startswith(POSTGRESQL):
        yield sa.make_url(given)
        return
    with _throwaway_cluster() as url:
        yield url


@contextmanager
def _throwaway_cluster() -> Iterator[sa.URL]:
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not binaries:
        pytest.fail(
            "PostgreSQL がありません。.ci/run が postgresql をインストールするはずです（apt-get install postgresql）。"
        )
    bin_directory = binaries[-1].parent
    # initdb refuses to run as root; the cluster then belongs to Debian's postgres user.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    directory = Path(tempfile.mkdtemp(prefix="dashboard-pg-"))
    if as_user:
        account = pwd.getpwnam("postgres")
        os.chown(directory, account.pw_uid, account.pw_gid)
    data, port = directory / "data", free_port()
    # The socket lives in the temporary directory; durability settings are off: the cluster is thrown away.
    options = f"-p {port} -k {directory} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run(str(bin_directory / "initdb"), "-D", str(data), "-U", "dashboard", "--auth=trust", "-E", "UTF8", "--no-sync")
    run(str(bin_directory / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(directory / "log"), "-w", "start")
    try:
        yield sa.make_url(f"postgresql+psycopg://dashboard@/postgres?host={directory}&port={port}")
    finally:
        run(str(bin_directory / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(directory, ignore_errors=True)


class Stores:
    """Makes new stores of the kind under test: SQLite files, or databases on the PostgreSQL server."""

    def __init__(self, server: sa.URL | None, folders: pytest.TempPathFactory) -> None:
        self.server, self.folders = server, folders
        self.made: list[str] = []
        self.template: str | None = None

    def new_url(self) -> str:
        """The URL of a new, empty store."""
        if self.server is None:
            return f"sqlite:///{self.folders.mktemp('store') / 'store.sqlite3'}"
        name = f"dashboard_test_{os.getpid()}_{next(_database_numbers)}"
        self._create(name, "template0")
        return self._url(name)

    def prepare(self, url: str) -> Engine:
        """Fill the new, unused store at `url` as prepare_store does (plans and sample data), by
        copying a store prepared once per session, which is much cheaper than importing again."""
        template = self._prepared_template()
        if self.server is None:
            shutil.copyfile(sa.make_url(template).database, sa.make_url(url).database)
        else:
            name = sa.make_url(url).database
            _run_on_server(self.server, f'DROP DATABASE "{name}"')
            self._create(name, sa.make_url(template).database)
        return prepare_store(url)

    def drop_all(self) -> None:
        for name in reversed(self.made):
            _run_on_server(self.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _prepared_template(self) -> str:
        if self.template is None:
            self.template = self.new_url()
            prepare_store(self.template).dispose()
        return self.template

    def _create(self, name: str, template: str) -> None:
        # FILE_COPY of a small template is much cheaper than the default WAL_LOG strategy.
        _run_on_server(self.server, f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        self.made.append(name)

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)


def _run_on_server(server: sa.URL, statement: str) -> None:
    maintenance = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with maintenance.connect() as connection:
        connection.exec_driver_sql(statement)


@pytest.fixture(scope="session", autouse=True)
def _evaluation_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Kept evaluations go to a folder of this session (servers and commands started by tests
    inherit it), never to the project's var/."""
    previous = os.environ.get(CACHE_DIRECTORY_VARIABLE)
    os.environ[CACHE_DIRECTORY_VARIABLE] = str(tmp_path_factory.mktemp("evaluations"))
    yield
    if previous is None:
        os.environ.pop(CACHE_DIRECTORY_VARIABLE)
    else:
        os.environ[CACHE_DIRECTORY_VARIABLE] = previous


@pytest.fixture(scope="session")
def stores(postgresql_server: sa.URL | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    """New stores for tests; every PostgreSQL database made is dropped at the end of the session."""
    made = Stores(postgresql_server, tmp_path_factory)
    yield made
    if postgresql_server is not None:
        made.drop_all()


@pytest.fixture
def database_url(stores: Stores) -> str:
    """A new, empty store of the kind under test."""
    return stores.new_url()


@pytest.fixture
def engine(stores: Stores, database_url: str) -> Engine:
    """A store as a new user gets it: both plan drafts and the sample data (at `database_url`)."""
    return stores.prepare(database_url)


@pytest.fixture
def empty_engine(database_url: str) -> Engine:
    """A store with the plan but no observations."""
    engine = store.open_store(database_url)
    store.sync_plans(engine, load_plans())
    return engine


@pytest.fixture(scope="session")
def app_url(stores: Stores) -> Iterator[str]:
    """The dashboard served by `python -m ui.serve` on a free port, over a fresh store."""
    with serve_dashboard(stores.new_url()) as url:
        yield url


def serve_dashboard(database_url: str) -> AbstractContextManager[str]:
    """Serve the dashboard (`python -m ui.serve`) on a free port over the store at `database_url` (created if new)."""
    return serve(["-m", "ui.serve"], database_url)


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    """Debian's headless Chromium; missing it skips locally but fails in CI, where .ci/run installs it."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} がありません。.ci/run が chromium をインストールするはずです。")
        pytest.skip(f"{CHROMIUM} がないためブラウザのテストを省略します（apt-get install chromium）")
    from playwright.sync_api import expect, sync_playwright

    # A page rerun on a 2-core machine that also runs the suite (or reads an upload in a worker
    # process) can take longer than Playwright's default 5 s; a failing expectation still fails.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshot_directory() -> Path:
    """Where browser tests save what they saw, for a person to look at (kept out of git)."""
    directory = ROOT / "screenshots"
    directory.mkdir(exist_ok=True)
    return directory


@pytest.fixture
def real_engine(empty_engine: Engine) -> Engine:
    """A live store: the sample files imported as real results (not marked sample), so that new
    batches are compared with them instead of withdrawing them."""
    import_files(empty_engine, read_files(sorted(SAMPLE_DIRECTORY.glob("*.xlsx"))), "初期データ")
    return empty_engine
