from datetime import UTC, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analytics import store
from analytics.importer import import_files
from analytics.plan import load_plans


def _observations(values: list[float], respondents: list[int | None] | None = None) -> pd.DataFrame:
    years = list(range(2022, 2022 + len(values)))
    return pd.DataFrame(
        {
            "indicator_code": "1-①",
            "fiscal_year": years,
            "dimension": "",
            "category": "",
            "value": values,
            "respondents": pd.array(respondents or [1200] * len(values), dtype="Int64"),
            "note": "",
            "sample": False,
        }
    )


FILE = store.SourceFile(name="survey.xlsx", sha256="0" * 64, row_count=2)


def test_plans_come_back_from_the_store_exactly_as_loaded(empty_engine: Engine) -> None:
    for stored, shipped in zip(store.read_plans(empty_engine), load_plans(), strict=True):
        assert (stored.label, stored.revision, stored.sha256) == (shipped.label, shipped.revision, shipped.sha256)
        pd.testing.assert_frame_equal(stored.nodes, shipped.nodes)
        pd.testing.assert_frame_equal(stored.indicators, shipped.indicators)


def test_syncing_an_unchanged_plan_writes_nothing(empty_engine: Engine) -> None:
    assert store.sync_plans(empty_engine, load_plans()) == []


def test_observations_come_back_from_the_store_exactly_as_written(empty_engine: Engine) -> None:
    written = _observations([45.2, 46.1], [1200, None])
    store.record_batch(empty_engine, written, [FILE], "tester")
    pd.testing.assert_frame_equal(store.read_observations(empty_engine), written)


def test_changing_a_stored_value_is_refused_and_nothing_is_written(empty_engine: Engine) -> None:
    store.record_batch(empty_engine, _observations([45.2, 46.1]), [FILE], "tester")
    before = store.read_observations(empty_engine)
    with pytest.raises(store.ConflictError) as refused:
        store.record_batch(empty_engine, _observations([45.2, 47.0, 48.0]), [FILE], "tester")
    assert refused.value.changes[["fiscal_year", "old_value", "value"]].values.tolist() == [[2023, 46.1, 47.0]]
    pd.testing.assert_frame_equal(store.read_observations(empty_engine), before)
    assert len(store.read_batches(empty_engine)) == 1


def test_replacing_keeps_the_replaced_value_in_the_batch_history(empty_engine: Engine) -> None:
    store.record_batch(empty_engine, _observations([45.2, 46.1]), [FILE], "tester")
    result = store.record_batch(empty_engine, _observations([45.2, 47.0, 48.0]), [FILE], "editor", replace=True)
    assert (result.added, result.changed, result.unchanged) == (1, 1, 1)
    history = store.read_observation_history(empty_engine, result.batch_id)
    expected = pd.DataFrame({"fiscal_year": [2023, 2024], "old_value": [46.1, None], "new_value": [47.0, 48.0]})
    pd.testing.assert_frame_equal(history[["fiscal_year", "old_value", "new_value"]], expected)
    assert store.read_observations(empty_engine)["value"].tolist() == [45.2, 47.0, 48.0]


def test_batch_list_says_who_wrote_which_file_and_how_many_rows(empty_engine: Engine) -> None:
    store.record_batch(empty_engine, _observations([45.2, 46.1]), [FILE], "山田")
    batches = store.read_batches(empty_engine)
    assert batches[["created_by", "files", "added", "changed"]].values.tolist() == [["山田", "survey.xlsx", 2, 0]]


def test_a_batch_that_changes_nothing_is_not_recorded(empty_engine: Engine) -> None:
    first = store.record_batch(empty_engine, _observations([45.2, 46.1]), [FILE], "tester")
    again = store.record_batch(empty_engine, _observations([45.2, 46.1]), [FILE], "tester")
    assert again == store.BatchResult(batch_id=None, added=0, changed=0, unchanged=2)
    assert store.read_batches(empty_engine)["id"].tolist() == [first.batch_id]


def test_default_store_is_a_sqlite_file_outside_version_control(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(store.DATABASE_URL_VARIABLE, raising=False)
    assert store.database_url() == f"sqlite:///{store.DEFAULT_DATABASE}"
    assert store.DEFAULT_DATABASE.parent.name == "var"


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, "postgresql://city@db/dashboard")
    assert store.database_url() == "postgresql://city@db/dashboard"


def _csv(text: str, name: str = "survey.csv") -> list[tuple[str, bytes]]:
    return [(name, text.encode("utf-8"))]


def test_undo_restores_exactly_the_values_a_batch_replaced_and_is_itself_a_batch(real_engine: Engine) -> None:
    engine = real_engine
    before = store.read_observations(engine)
    result = import_files(
        engine, _csv("年度,指標,値,回答者数,備考\n2024,1-①,55.0,1210,速報\n2025,1-①,54.8,1231,\n"), "山田", replace=True
    )
    undo = store.undo_batch(engine, result.batch_id, "佐藤")
    pd.testing.assert_frame_equal(store.read_observations(engine), before)
    assert (undo.added, undo.changed, undo.removed) == (0, 1, 1)
    latest = store.read_batches(engine).iloc[0]
    assert (latest["created_by"], latest["undoes_batch_id"], latest["changed"], latest["removed"]) == (
        "佐藤",
        result.batch_id,
        1,
        1,
    )
    history = store.read_observation_history(engine, undo.batch_id)
    history = history.astype(object).where(history.notna(), None)
    assert history[["fiscal_year", "old_value", "new_value", "new_note"]].values.tolist() == [
        [2024, 55.0, 53.4, "サンプル（架空）データ"],
        [2025, 54.8, None, None],
    ]


def test_undoing_an_undo_brings_the_batch_back(real_engine: Engine) -> None:
    engine = real_engine
    result = import_files(engine, _csv("年度,指標,値\n2025,1-①,54.8\n"), "山田")
    after = store.read_observations(engine)
    undo = store.undo_batch(engine, result.batch_id, "佐藤")
    store.undo_batch(engine, undo.batch_id, "佐藤")
    pd.testing.assert_frame_equal(store.read_observations(engine), after)


def test_undo_is_refused_while_a_later_batch_changed_the_same_values(real_engine: Engine) -> None:
    engine = real_engine
    first = import_files(engine, _csv("年度,指標,値\n2025,1-①,54.8\n"), "山田")
    second = import_files(engine, _csv("年度,指標,値\n2025,1-①,55.1\n"), "佐藤", replace=True)
    before = store.read_observations(engine), store.read_batches(engine)
    with pytest.raises(store.StoreError) as refused:
        store.undo_batch(engine, first.batch_id, "山田")
    assert str(refused.value) == (
        f"取込 {first.batch_id} の後に、同じ値を取込 {second.batch_id} が変更しています。"
        f"先に取込 {second.batch_id} から新しい順に取り消してください。"
    )
    pd.testing.assert_frame_equal(store.read_observations(engine), before[0])
    pd.testing.assert_frame_equal(store.read_batches(engine), before[1])
    store.undo_batch(engine, second.batch_id, "山田")
    store.undo_batch(engine, first.batch_id, "山田")
    assert store.read_observations(engine).query("fiscal_year == 2025").empty


def test_a_real_batch_withdraws_the_sample_as_its_own_batch_and_undo_brings_it_back(engine: Engine) -> None:
    sample = store.read_observations(engine)
    result = import_files(engine, _csv("年度,指標,値,回答者数\n2024,1-①,55.0,1210\n"), "山田")
    assert result.withdrawal is not None
    assert (result.withdrawal.batch_id, result.withdrawal.removed, result.batch_id, result.added) == (2, 1351, 3, 1)
    assert store.read_observations(engine)[["indicator_code", "fiscal_year", "value", "sample"]].values.tolist() == [
        ["1-①", 2024, 55.0, False]
    ]
    batches = store.read_batches(engine)
    assert batches[["id", "created_by", "withdraws_sample", "removed"]].values.tolist()[1] == [2, "山田", True, 1351]
    with pytest.raises(store.StoreError, match="先に取込 3 から"):
        store.undo_batch(engine, 2, "山田")
    store.undo_batch(engine, 3, "山田")
    store.undo_batch(engine, 2, "山田")
    pd.testing.assert_frame_equal(store.read_observations(engine), sample)
    with engine.connect() as connection:
        written_by = connection.execute(sa.select(store.observations.c.batch_id).distinct()).scalars().all()
    assert written_by == [1]  # the sample batch, as before


def test_a_sample_batch_does_not_withdraw_the_sample(engine: Engine) -> None:
    result = import_files(engine, _csv("年度,指標,値\n2025,1-①,54.8\n"), "サンプルデータ", sample=True)
    assert result.withdrawal is None
    assert store.read_observations(engine)["sample"].all()


@pytest.mark.parametrize(
    ("batch", "message"),
    [(999, "取込 999 はありません。"), (None, "値を何も変えていないため、取り消すものがありません。")],
)
def test_undo_of_a_missing_or_empty_batch_says_so(engine: Engine, batch: int | None, message: str) -> None:
    if batch is None:  # an empty batch, as versions before empty batches were skipped recorded them
        with engine.begin() as connection:
            batch = connection.execute(
                store.batches.insert()
                .values(created_at=datetime.now(UTC), created_by="山田")
                .returning(store.batches.c.id)
            ).scalar_one()
    with pytest.raises(store.StoreError, match=message):
        store.undo_batch(engine, batch, "山田")


def test_commentary_is_the_newest_version_per_indicator_and_year_and_blank_withdraws_it(empty_engine: Engine) -> None:
    store.write_commentary(empty_engine, "1-①", 2024, "初稿", "田中")
    store.write_commentary(empty_engine, "1-①", 2024, "  改訂した所見  ", "佐藤")
    store.write_commentary(empty_engine, "1-②", 2024, "書いたが取り下げる", "田中")
    store.write_commentary(empty_engine, "1-②", 2024, "", "田中")
    store.write_commentary(empty_engine, "1-③", 2023, "前年度の所見", "田中")
    current = store.read_commentary(empty_engine, 2024)
    assert current[["indicator_code", "text", "written_by"]].values.tolist() == [["1-①", "改訂した所見", "佐藤"]]
    assert str(current["written_at"].dt.tz) == "UTC"
    with empty_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(store.commentary)).scalar() == 5
