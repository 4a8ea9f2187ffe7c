"""Each plan evaluation computed once and kept on disk, keyed by everything it depends on."""

import dataclasses
import functools
import hashlib
import json
import logging
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from analytics import store
from analytics.assessment import PlanEvaluation, evaluate_plan
from analytics.evaluation_settings import Settings
from analytics.files import write_file_atomically
from analytics.plan import Plan

CACHE_DIRECTORY_VARIABLE = "DASHBOARD_CACHE_DIR"
DEFAULT_CACHE_DIRECTORY = store.DEFAULT_DATABASE.parent / "cache" / "evaluations"
# Enough for every year × method × rule a city looks at across a few data versions; the least
# recently used go first, so the folder never grows without bound.
MAX_ENTRIES = 256
# The modules whose code decides an evaluation: a new release of any of them must not be served
# evaluations the previous code computed.
_ENGINE_MODULES = ("assessment", "evaluation", "evaluation_settings", "progress", "sampling", "vocabulary")
_log = logging.getLogger(__name__)


def evaluate_stored_plan(
    engine: Engine, plan: Plan, settings: Settings, year: int | None, method: str
) -> PlanEvaluation:
    """`evaluate_plan` of the store's observations, computed once per data version, plan revision,
    settings, year and method and then read back, so that a new server process, session or command
    never recomputes what is known. A cache that cannot be read or written only costs the time."""
    stamp = store.read_data_stamp(engine)
    path = _cache_directory() / f"{_key(stamp, plan, settings, year, method)}.pickle"
    if (kept := _read_kept(path)) is not None:
        return kept
    evaluation = evaluate_plan(
        plan.indicators, store.read_observations(engine), settings, year, method, plan.yearly_targets
    )
    # A batch written while we read would make the stamp name data we did not evaluate: keep nothing then.
    if store.read_data_stamp(engine) == stamp:
        _keep(path, evaluation)
    return evaluation


def _cache_directory() -> Path:
    return Path(os.environ.get(CACHE_DIRECTORY_VARIABLE) or DEFAULT_CACHE_DIRECTORY)


def _key(stamp: str, plan: Plan, settings: Settings, year: int | None, method: str) -> str:
    parts = {
        "engine": _engine_digest(),
        "data": stamp,
        "plan": [plan.revision, plan.sha256],
        "settings": dataclasses.asdict(settings),
        "year": year,
        "method": method,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@functools.cache
def _engine_digest() -> str:
    digest = hashlib.sha256(f"{pd.__version__} {np.__version__}".encode())
    for module in _ENGINE_MODULES:
        digest.update((Path(__file__).parent / f"{module}.py").read_bytes())
    return digest.hexdigest()


def _read_kept(path: Path) -> PlanEvaluation | None:
    try:
        with path.open("rb") as stream:
            kept = pickle.load(stream)
        os.utime(path)  # recently used: pruned last
    except FileNotFoundError:
        return None
    except Exception:
        _log.warning("評価のキャッシュ %s を読めないため、評価し直します", path, exc_info=True)
        return None
    return kept if isinstance(kept, PlanEvaluation) else None


def _keep(path: Path, evaluation: PlanEvaluation) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(path, lambda stream: pickle.dump(evaluation, stream, pickle.HIGHEST_PROTOCOL))
        _prune(path.parent)
    except OSError:
        _log.warning("評価のキャッシュ %s を書き込めません", path, exc_info=True)


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob("*.pickle"), key=lambda entry: entry.stat().st_mtime, reverse=True)
    for entry in entries[MAX_ENTRIES:]:
        entry.unlink(missing_ok=True)
