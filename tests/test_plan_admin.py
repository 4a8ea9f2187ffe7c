from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from analytics import store
from analytics.plan_admin import (
    PLAN_FIELDS,
    PlanRevisionError,
    compare_indicator_values,
    compare_plan_values,
    plan_in_force,
    restore_revision,
    revise_action_department,
    revise_indicator,
    revise_yearly_targets,
    save_revision,
    tabulate_revisions,
)

SAVED = datetime(2026, 5, 10, 1, 30, tzinfo=UTC)  # 2026-05-10 10:30 in Japan: fiscal year 2026


def _values(plan, code: str, **changes: object) -> dict:
    row = plan.indicators.set_index("code").loc[code]
    return {spec.column: row[spec.column] for spec in PLAN_FIELDS} | changes


def _edit(engine: Engine, code: str = "1-①", when: datetime = SAVED, **changes: object) -> int:
    plan = store.read_plans(engine)[-1]
    indicators = revise_indicator(plan, code, _values(plan, code, **changes))
    return save_revision(engine, plan, indicators, "管理太郎", "第2期計画の確定値", when)


def test_an_edit_is_a_new_current_revision_with_who_when_and_why(empty_engine: Engine) -> None:
    before = store.read_plans(empty_engine)
    revision = _edit(empty_engine, baseline_value=41.5, target_year=2031, target_value=60.0)
    plans = store.read_plans(empty_engine)
    assert (revision, len(plans), plans[-1].revision, plans[-1].label) == (3, 3, 3, "2026年5月10日改定")
    edited = plans[-1].indicators.set_index("code").loc["1-①"]
    assert (edited["baseline_value"], edited["target_year"], edited["target_value"], edited["sample"]) == (
        41.5,
        2031,
        60.0,
        False,
    )
    pd.testing.assert_frame_equal(plans[-1].nodes, before[-1].nodes)
    pd.testing.assert_frame_equal(plans[1].indicators, before[1].indicators)  # earlier revisions untouched
    assert compare_indicator_values(before[-1].indicators, plans[-1].indicators).values.tolist() == [
        ["1-①", "基準値", "42", "41.5"],
        ["1-①", "目標年度", "令和7(2025)年度", "令和13(2031)年度"],
        ["1-①", "目標値", "55", "60"],
    ]
    history = tabulate_revisions(store.read_plan_revisions(empty_engine))
    assert history.iloc[0].tolist() == [3, "2026年5月10日改定", "2026-05-10 10:30", "管理太郎", "第2期計画の確定値"]
    assert history["保存者"].tolist()[1:] == ["（計画ファイル 2_1130.yaml）", "（計画ファイル 1_1113.yaml）"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"target_value": 42.0},
            "指標「1-①」の基準値と目標値が同じ（42）では進捗を測れません。どちらかを直してください。",
        ),
        ({"target_year": 2010}, "指標「1-①」の目標年度（2010）は基準年度（2015）より後にしてください。"),
        ({"target_year": 2015}, "指標「1-①」の目標年度（2015）は基準年度（2015）より後にしてください。"),
        ({"baseline_year": 1900}, "指標「1-①」の基準年度は 1989〜2100 の年度にしてください。"),
        ({"baseline_value": float("nan")}, "指標「1-①」の基準値を数値で入力してください。"),
        ({"target_value": float("inf")}, "指標「1-①」の目標値を数値で入力してください。"),
        ({"unit": " "}, "指標「1-①」の単位を入力してください。"),
    ],
)
def test_an_edit_that_cannot_be_evaluated_is_refused_in_japanese(
    empty_engine: Engine, changes: dict, message: str
) -> None:
    plan = store.read_plans(empty_engine)[-1]
    with pytest.raises(PlanRevisionError) as refused:
        revise_indicator(plan, "1-①", _values(plan, "1-①", **changes))
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("changes", "reason", "message"),
    [
        ({"target_value": 60.0}, "  ", "変更の理由を入力してください（改定の履歴に残ります）。"),
        ({}, "確認", "変更がありません。値を変えてから保存してください。"),
    ],
)
def test_a_save_without_a_reason_or_a_change_is_refused(
    empty_engine: Engine, changes: dict, reason: str, message: str
) -> None:
    plan = store.read_plans(empty_engine)[-1]
    indicators = revise_indicator(plan, "1-①", _values(plan, "1-①", **changes))
    with pytest.raises(PlanRevisionError, match=message):
        save_revision(empty_engine, plan, indicators, "管理太郎", reason)
    assert len(store.read_plans(empty_engine)) == 2


def test_restoring_an_earlier_revision_saves_it_again_as_the_newest(empty_engine: Engine) -> None:
    _edit(empty_engine, target_value=60.0)
    plans = store.read_plans(empty_engine)
    revision = restore_revision(empty_engine, plans, 2, "管理太郎", "", SAVED)
    restored = store.read_plans(empty_engine)[-1]
    assert revision == 4
    pd.testing.assert_frame_equal(restored.indicators, plans[1].indicators)
    assert tabulate_revisions(store.read_plan_revisions(empty_engine)).iloc[0]["理由"] == "（版 2 に戻す）"
    with pytest.raises(PlanRevisionError, match=r"2026年5月10日改定（版 4）は現行の計画です"):
        restore_revision(empty_engine, store.read_plans(empty_engine), 4, "管理太郎", "")


@pytest.mark.parametrize(("year", "revision"), [(2024, 2), (2025, 3), (2026, 4)])
def test_the_plan_in_force_for_a_year_is_the_one_current_at_its_end(
    empty_engine: Engine, year: int, revision: int
) -> None:
    _edit(empty_engine, when=datetime(2026, 3, 31, 14, 59, tzinfo=UTC), target_value=60.0)  # 23:59 31 March, FY2025
    _edit(empty_engine, when=datetime(2026, 3, 31, 15, 0, tzinfo=UTC), target_value=61.0)  # 00:00 1 April, FY2026
    plans = store.read_plans(empty_engine)
    assert plan_in_force(plans, store.read_plan_revisions(empty_engine), year).revision == revision


def _targets(*rows: tuple) -> pd.DataFrame:
    """The 年次目標 editor's table: rows of (年度, 年次目標); None for a blank cell."""
    return pd.DataFrame(rows, columns=["年度", "年次目標"], dtype=object)


def test_yearly_targets_are_added_changed_and_removed_as_revisions(empty_engine: Engine) -> None:
    plan = store.read_plans(empty_engine)[-1]
    added = revise_yearly_targets(plan, "1-①", _targets((2020, 46.0), (2022, 49.0), (None, None)))
    save_revision(empty_engine, plan, plan.indicators, "管理太郎", "年次目標の設定", SAVED, yearly_targets=added)
    plan = store.read_plans(empty_engine)[-1]
    assert plan.yearly_targets.values.tolist() == [["1-①", 2020, 46.0], ["1-①", 2022, 49.0]]

    changed = revise_yearly_targets(plan, "1-①", _targets((2020, 47.0)))
    save_revision(empty_engine, plan, plan.indicators, "管理太郎", "見直し", SAVED, yearly_targets=changed)
    plans = store.read_plans(empty_engine)
    assert plans[-1].yearly_targets.values.tolist() == [["1-①", 2020, 47.0]]
    assert compare_plan_values(plans[-2], plans[-1]).values.tolist() == [
        ["1-①", "年次目標（令和2(2020)年度）", "46", "47"],
        ["1-①", "年次目標（令和4(2022)年度）", "49", "—"],
    ]


def _save_targets(engine: Engine, rows: tuple, changes: dict) -> int:
    """What the page does on save: the indicator's values and its 年次目標 in one revision."""
    plan = store.read_plans(engine)[-1]
    targets = revise_yearly_targets(plan, "1-①", _targets(*rows))
    indicators = revise_indicator(plan, "1-①", _values(plan, "1-①", **changes))
    return save_revision(engine, plan, indicators, "管理太郎", "設定", SAVED, yearly_targets=targets)


@pytest.mark.parametrize(
    ("rows", "changes", "message"),
    [
        (((2020, 46.0), (2020, 47.0)), {}, "指標「1-①」の年次目標に2020年度が2つあります。1年度に1つにしてください。"),
        (((2020, None),), {}, "指標「1-①」の年次目標（2020年度）の値を数値で入力してください。"),
        (((None, 46.0),), {}, "指標「1-①」の年次目標の年度を整数で入力してください（例: 2026）。"),
        (
            ((2025, 50.0),),
            {},
            "指標「1-①」の年次目標の年度（2025）は基準年度（2015）と目標年度（2025）の間にしてください。",
        ),
        (
            ((2020, 42.0),),
            {},
            "指標「1-①」の年次目標（2020年度 42）は、基準値（42）から目標値（55）の側に進んだ値にしてください。",
        ),
        (
            ((2024, 50.0),),
            {"target_year": 2023},
            "指標「1-①」の年次目標の年度（2024）は基準年度（2015）と目標年度（2023）の間にしてください。",
        ),
    ],
)
def test_a_yearly_target_that_cannot_be_a_path_is_refused(
    empty_engine: Engine, rows: tuple, changes: dict, message: str
) -> None:
    with pytest.raises(PlanRevisionError) as refused:
        _save_targets(empty_engine, rows, changes)
    assert str(refused.value) == message
    assert len(store.read_plans(empty_engine)) == 2


def test_an_actions_department_is_changed_as_a_revision(empty_engine: Engine) -> None:
    plan = store.read_plans(empty_engine)[-1]
    nodes = revise_action_department(plan, "1-①", " 参画協働課 ")
    save_revision(empty_engine, plan, plan.indicators, "管理太郎", "所管替え", SAVED, nodes=nodes)
    plans = store.read_plans(empty_engine)
    actions = plans[-1].nodes.set_index(["kind", "code"])
    assert actions.loc[("action", "1-①"), "lead_department"] == "参画協働課"
    before = plans[-2].nodes.set_index(["kind", "code"]).loc[("action", "1-①"), "lead_department"]
    assert compare_plan_values(plans[-2], plans[-1]).values.tolist() == [
        ["1-①", "取組項目の担当課", before if isinstance(before, str) else "—", "参画協働課"]
    ]
    with pytest.raises(PlanRevisionError, match="取組項目「9-⑨」は現行の計画にありません"):
        revise_action_department(plan, "9-⑨", "参画協働課")
