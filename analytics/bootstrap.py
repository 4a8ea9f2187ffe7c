"""First start: open the store, make sure the shipped plan is in it, and load the sample data once."""

from pathlib import Path

from sqlalchemy.engine import Engine

from analytics import store
from analytics.importer import import_files, read_files
from analytics.plan import load_plans

SAMPLE_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_USER = "サンプルデータ"


def prepare_store(url: str | None = None) -> Engine:
    """Open (or create) the store, load any new plan revision, and on a store that has never had
    a batch, import the fictional sample data through the same importer staff use."""
    engine = store.open_store(url)
    store.sync_plans(engine, load_plans())
    if store.read_data_version(engine)[0] == 0:
        import_files(engine, read_files(sorted(SAMPLE_DIRECTORY.glob("*.xlsx"))), SAMPLE_USER, sample=True)
    return engine
