"""First start: open the store, make sure the shipped plan is in it, and load the sample data once."""

import re
from contextlib import suppress
from pathlib import Path

from sqlalchemy.engine import Engine

from analytics import store
from analytics.actions.settings import load_action_settings
from analytics.actions.survey import read_survey
from analytics.importer import import_files, read_files
from analytics.plan import load_plans

SAMPLE_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_USER = "サンプルデータ"


def prepare_store(url: str | None = None, *, sample: bool = True) -> Engine:
    """Open (or create) the store, load any new plan revision, and on a store that has never had
    a batch, import the fictional sample data through the same importer staff use, unless this
    store was started empty (`sample=False`, remembered for every later start).

    Takes no write lock when there is nothing to do, so that it never waits for a running import;
    of several processes starting at once on a new store, exactly one loads the sample data.
    """
    engine = store.open_store(url)
    store.sync_plans(engine, load_plans())
    if not sample:
        store.decline_sample(engine)
    if store.read_data_version(engine)[0] == 0 and not store.is_sample_declined(engine):
        files = read_files(sorted(SAMPLE_DIRECTORY.glob("*.xlsx")))
        # Another process starting at the same moment may have loaded it first (StaleBatchError).
        with suppress(store.StaleBatchError):
            import_files(engine, files, SAMPLE_USER, sample=True, expected_batch=0)
            _load_action_sample(engine)
    return engine


def _load_action_sample(engine: Engine) -> None:
    """Load the fictional 取組項目 reports, shipped as filled 調査票 named 調査票_<year>年度_…, marked sample."""
    plan, settings = store.read_plans(engine)[-1], load_action_settings()
    for path in sorted((SAMPLE_DIRECTORY / "actions").glob("*.xlsx")):
        year = int(re.search(r"_(\d{4})年度_", path.name).group(1))
        answers = read_survey(path.name, path.read_bytes(), year, plan, settings)
        store.write_action_reports(engine, answers.rows.assign(sample=True), SAMPLE_USER)
