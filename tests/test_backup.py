"""`backup` and `restore`: every table comes back exactly, into either kind of store."""

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import Stores
from sqlalchemy.engine import Engine

from analytics import store
from analytics.accounts import create_user
from analytics.cli import main
from analytics.importer import import_files
from analytics.plan import build_plan


def _every_table(engine: Engine) -> dict[str, pd.DataFrame]:
    """Each table's rows sorted by primary key, times in UTC, as a reader of either store gets them."""
    frames = {}
    with engine.connect() as connection:
        for table in store.metadata.sorted_tables:
            order = [column.name for column in table.primary_key.columns] or [c.name for c in table.columns]
            frame = pd.read_sql(sa.select(table).order_by(*order), connection)
            for column in table.columns:
                if isinstance(column.type, sa.DateTime):
                    times = pd.to_datetime(frame[column.name])
                    frame[column.name] = (
                        times.dt.tz_localize("UTC") if times.dt.tz is None else times.dt.tz_convert("UTC")
                    )
            frames[table.name] = frame
    return frames


def _csv(text: str) -> list[tuple[str, bytes]]:
    return [("survey.csv", text.encode())]


@pytest.fixture
def used_store(engine: Engine) -> Engine:
    """The sample data withdrawn by a real value, a user, a 所見, a 公表, a changed value and its undo, a failed
    sign-in, and a plan revision with a yearly target: a row in every table."""
    create_user(engine, "山田", "correct horse")
    current = store.read_plans(engine)[-1]
    interim = pd.DataFrame({"indicator_code": ["1-①"], "fiscal_year": [2020], "value": [50.0]})
    store.add_plan_revisions(
        engine,
        [
            build_plan(
                title=current.title,
                label="年次目標つき",
                revision=0,
                source="test",
                levels=current.levels,
                nodes=current.nodes,
                indicators=current.indicators,
                yearly_targets=interim,
            )
        ],
    )
    store.write_commentary(engine, "1-②", 2024, "情報発信の手段を見直した。", "企画課 田中")
    report = {"action_code": "1-①", "fiscal_year": 2024, "status": "○ 計画どおり", "result": "更新した"}
    extra = {"sessions": 3, "participants": None, "issues": "", "direction": "継続", "department": "広報課"}
    store.write_action_reports(engine, pd.DataFrame([report | extra]), "山田", ["調査票.xlsx"])
    store.write_secondary_evaluation(engine, "1.1", 2024, "B", "おおむね順調", "山田")
    store.record_publication(engine, 2024, True, "山田")
    import_files(engine, _csv("年度,指標,値,回答者数\n2024,1-①,55.0,1210\n"), "山田", replace=True)
    import_files(engine, _csv("年度,指標,値,回答者数\n2024,1-①,56.0,1210\n"), "山田", replace=True)
    store.undo_batch(engine, 4, "山田")
    store.record_sign_in_failure(engine, "佐藤", datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    store.decline_sample(engine)
    return engine


def test_a_backup_restores_every_table_exactly_into_an_empty_store(
    used_store: Engine, stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    backup = tmp_path / "backup.sqlite3"
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, used_store.url.render_as_string(hide_password=False))
    assert main(["backup", str(backup)]) == 0
    assert capsys.readouterr().out == f"バックアップを書き出しました: {backup}（取込 5 件、観測値 1 件、計画 3 版）\n"

    empty = stores.new_url()
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, empty)
    assert main(["restore", str(backup)]) == 0
    assert capsys.readouterr().out.endswith("に復元しました（取込 5 件、観測値 1 件、計画 3 版）\n")
    restored = store.open_store(empty)
    expected = _every_table(used_store)
    assert all(not frame.empty for frame in expected.values())
    for name, frame in _every_table(restored).items():
        pd.testing.assert_frame_equal(frame, expected[name], obj=name)
    # The restored store carries on: the next batch gets the next id.
    assert import_files(restored, _csv("年度,指標,値,回答者数\n2025,1-①,56.0,1210\n"), "山田").batch_id == 6


def test_a_backup_restores_into_the_other_kind_of_store(used_store: Engine, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite3"
    store.backup_store(used_store, backup)
    other = store.open_store(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    store.restore_store(other, backup)
    for name, frame in _every_table(other).items():
        pd.testing.assert_frame_equal(frame, _every_table(used_store)[name], obj=name)


def test_restoring_into_a_store_with_data_is_refused_and_changes_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    backup = tmp_path / "backup.sqlite3"
    store.backup_store(engine, backup)
    before = _every_table(engine)
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, engine.url.render_as_string(hide_password=False))
    assert main(["restore", str(backup)]) == 1
    assert capsys.readouterr().err == (
        "エラー: 復元先のデータベースが空ではありません（action_reports 63 行、batch_files 3 行、batches 1 行、"
        "observation_history 1,351 行、observations 1,351 行、plan_indicators 21 行、plan_nodes 78 行、"
        "plan_versions 2 行）。DASHBOARD_DATABASE_URL に空のデータベースを指定してから、もう一度復元してください。\n"
    )
    for name, frame in _every_table(engine).items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)


def test_a_file_that_is_not_a_backup_is_refused(empty_engine: Engine, tmp_path: Path) -> None:
    wrong = tmp_path / "report.xlsx"
    wrong.write_bytes(b"PK\x03\x04 not a backup")
    with pytest.raises(store.StoreError) as refused:
        store.restore_store(empty_engine, wrong)
    assert str(refused.value) == (
        "report.xlsx はこのダッシュボードのバックアップではありません。`python -m analytics backup` で作ったファイルを指定してください。"
    )


def test_a_failed_backup_leaves_the_earlier_one_in_place(engine: Engine, tmp_path: Path) -> None:
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(b"the earlier backup")
    engine.dispose()
    broken = sa.create_engine(engine.url.set(database=str(tmp_path / "missing" / "x.sqlite3")))
    with pytest.raises(Exception):  # noqa: B017, PT011 (any failure will do)
        store.backup_store(broken, backup)
    assert backup.read_bytes() == b"the earlier backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite3"]
