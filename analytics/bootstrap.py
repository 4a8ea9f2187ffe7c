"""First start: open the store and make sure the shipped plan is in it."""

from sqlalchemy.engine import Engine

from analytics.plan import load_plans
from analytics.store import open_store, sync_plans


def prepare_store(url: str | None = None) -> Engine:
    """Open (or create) the store and load any plan revision it does not have yet."""
    engine = open_store(url)
    sync_plans(engine, load_plans())
    return engine
