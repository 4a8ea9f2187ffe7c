"""An evaluation is computed once per data version, plan revision, settings, year and method, then read back."""

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from analytics import evaluation_cache, store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation, evaluate_plan
from analytics.evaluation_settings import Settings, Thresholds
from analytics.plan_admin import PLAN_FIELDS, revise_indicator, save_revision

YEAR = 2024
DEFAULTS = Settings()


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """Count the engine's evaluations, with a cache folder of this test's own."""
    monkeypatch.setenv(evaluation_cache.CACHE_DIRECTORY_VARIABLE, str(tmp_path))
    calls: list[int] = []

    def counted(*arguments: object) -> PlanEvaluation:
        calls.append(1)
        return evaluate_plan(*arguments)

    monkeypatch.setattr(evaluation_cache, "evaluate_plan", counted)
    return calls


def _evaluate(engine: Engine, settings: Settings = DEFAULTS, method: str = v.LINEAR) -> PlanEvaluation:
    return evaluation_cache.evaluate_stored_plan(engine, store.read_plans(engine)[-1], settings, YEAR, method)


def _assert_same(kept: PlanEvaluation, fresh: PlanEvaluation) -> None:
    assert (kept.year, kept.method) == (fresh.year, fresh.method)
    for name in ("indicators", "history", "breakdowns", "summary"):
        pd.testing.assert_frame_equal(getattr(kept, name), getattr(fresh, name))


def test_a_second_evaluation_is_read_back_whole_without_evaluating(engine: Engine, evaluations: list[int]) -> None:
    first = _evaluate(engine)
    second = _evaluate(engine)
    assert len(evaluations) == 1
    plan = store.read_plans(engine)[-1]
    _assert_same(
        second,
        evaluate_plan(plan.indicators, store.read_observations(engine), DEFAULTS, YEAR, v.LINEAR, plan.yearly_targets),
    )
    _assert_same(second, first)


def _new_batch(engine: Engine) -> dict:
    frame = store.read_observations(engine).query("indicator_code == '1-①' and dimension == ''").tail(1)
    store.record_batch(
        engine, frame.assign(value=frame["value"] + 1), [store.SourceFile("new.csv", "0" * 64, 1)], "山田", replace=True
    )
    return {}


def _undo(engine: Engine) -> dict:
    _new_batch(engine)
    _evaluate(engine)
    store.undo_batch(engine, int(store.read_batches(engine)["id"].max()), "山田")
    return {}


def _new_revision(engine: Engine) -> dict:
    plan = store.read_plans(engine)[-1]
    row = plan.indicators.set_index("code", drop=False).loc["1-①"]
    values = {spec.column: row[spec.column] for spec in PLAN_FIELDS} | {"target_value": row["target_value"] + 5}
    save_revision(engine, plan, revise_indicator(plan, "1-①", values), "管理太郎", "目標の引き上げ")
    return {}


CHANGES: dict[str, Callable[[Engine], dict]] = {
    "nothing": lambda engine: {},
    "a new batch": _new_batch,
    "an undo": _undo,
    "a new plan revision": _new_revision,
    "other settings": lambda engine: {"settings": Settings(linear=Thresholds(on_track=90.0))},
    "another method": lambda engine: {"method": v.CAGR},
}


@pytest.mark.parametrize(
    ("change", "expected_evaluations"),
    [
        ("nothing", 1),
        ("a new batch", 2),
        ("an undo", 3),
        ("a new plan revision", 2),
        ("other settings", 2),
        ("another method", 2),
    ],
)
def test_only_a_change_of_data_plan_settings_or_method_evaluates_again(
    engine: Engine, evaluations: list[int], change: str, expected_evaluations: int
) -> None:
    _evaluate(engine)
    chosen = CHANGES[change](engine)
    kept = _evaluate(engine, **chosen)
    assert len(evaluations) == expected_evaluations
    plan = store.read_plans(engine)[-1]
    settings, method = chosen.get("settings", DEFAULTS), chosen.get("method", v.LINEAR)
    _assert_same(
        kept,
        evaluate_plan(plan.indicators, store.read_observations(engine), settings, YEAR, method, plan.yearly_targets),
    )


def test_a_damaged_cache_file_is_evaluated_again(engine: Engine, evaluations: list[int], tmp_path: Path) -> None:
    _evaluate(engine)
    for path in tmp_path.glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    _evaluate(engine)
    assert len(evaluations) == 2
