"""Shared fixtures: fresh stores on temporary SQLite files."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from analytics import store
from analytics.bootstrap import prepare_store
from analytics.plan import load_plans


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def engine(database_url: str) -> Engine:
    """A store as a new user gets it: both plan drafts and the sample data."""
    return prepare_store(database_url)


@pytest.fixture
def empty_engine(database_url: str) -> Engine:
    """A store with the plan but no observations."""
    engine = store.open_store(database_url)
    store.sync_plans(engine, load_plans())
    return engine
