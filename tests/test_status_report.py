"""The `status` command end to end: a temporary store, a recorded batch, three output formats."""

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from analytics import store
from analytics import vocabulary as v
from analytics.cli import main
from analytics.plan import load_plans
from analytics.plan_admin import PLAN_FIELDS, revise_indicator, save_revision
from analytics.schemas import ObservationFrame

# Current plan (2_1130.yaml), FY2020 is halfway from FY2015 to FY2025.
ROWS = [
    ("1-①", 48.5, 1000),  # 42 → 55: expected 48.5, on the path → 順調
    ("1-②", 43.0, 1000),  # 48 (n = 1,217) → 60: 5 below the baseline, beyond both values' error → 悪化
    ("2-①", 51.0, 1000),  # 40 → 50: target met → 達成
    ("2-②", 130.0, None),  # 120 → 150 団体: 10 / 30 = 33.3% of the way, 66.7% of the pace → やや遅れ
]


@pytest.fixture
def recorded(database_url, monkeypatch):
    """A store holding the current plan and one batch of FY2020 values, so no sample data is loaded."""
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    engine = store.open_store()
    store.sync_plans(engine, load_plans())
    frame = pd.DataFrame(
        {
            "indicator_code": [code for code, _, _ in ROWS],
            "fiscal_year": 2020,
            "dimension": v.OVERALL,
            "category": v.OVERALL,
            "value": [value for _, value, _ in ROWS],
            "respondents": pd.array([n for _, _, n in ROWS], dtype="Int64"),
            "note": "",
            "sample": False,
        }
    )
    source = store.SourceFile.from_bytes("test.csv", b"test", len(frame))
    store.record_batch(engine, ObservationFrame.validate(frame), [source], "テスト")
    return engine


def test_status_json_has_one_object_per_indicator_with_japanese_status_words(recorded, capsys):
    assert main(["status", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    statuses = {record["code"]: record["status"] for record in records}
    assert len(records) == 11
    assert {code: statuses[code] for code in ["1-①", "1-②", "2-①", "2-②", "3-①"]} == {
        "1-①": "順調",
        "1-②": "悪化",
        "2-①": "達成",
        "2-②": "やや遅れ",
        "3-①": "データなし",
    }
    count = next(record for record in records if record["code"] == "2-②")
    assert count["respondents"] is None
    assert count["margin"] == 0.0
    assert count["flags"] == ["目標達成ペースを下回る"]
    assert count["reasons"] == ["目標達成ペースを下回る（差 −5団体、許容差 1団体 を超える）"]
    assert count["status_range"] == ""
    on_path = next(record for record in records if record["code"] == "1-①")
    # on the path, but the value's and the baseline's error leave room down to 遅れ
    assert on_path["status_range"] == "誤差を考えると △ やや遅れ、▲ 遅れ の可能性あり"


def test_status_csv_has_japanese_headers_and_status_words(recorded, capsys):
    assert main(["status", "--format", "csv", "--year", "2020"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "指標,指標名,基本方針,年度,実績,回答者数,誤差,基準値,目標値,進捗率,期待値,状況,誤差を考えた状況,フラグ,理由,注記"
    )
    assert lines[1].startswith("1-①,住んでいる地域の必要な情報が入手できると感じている市民の割合,1,2020,48.5,1000,")
    assert ",順調," in lines[1]
    assert len(lines) == 12


def test_status_table_shows_rows_reasons_and_the_roll_up(recorded, capsys):
    assert main(["status", "--method", "cagr"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("評価方法: 成長率法（Open SDG 方式）　信頼水準: 95%")
    assert v.SAMPLE_NOTICE not in out  # the recorded batch is not sample data
    assert "✕ 悪化" in out
    assert "○ 順調（誤差を考えると △ やや遅れ、▲ 遅れ の可能性あり）" in out
    assert "判定: 誤差を考慮した評価" in out
    assert "    ⚑ 目標達成ペースを下回る（差 −" in out
    assert "基本方針別のまとめ" in out
    assert "計画全体" in out


def test_status_rejects_an_unknown_method(recorded, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["status", "--method", "straight"])
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("arguments", "revision", "baseline"),
    [([], "2026年5月10日改定（版 3）", "30.0"), (["--plan-then"], "11月30日現在（版 2）", "42.0")],
)
def test_status_names_the_plan_revision_and_evaluates_with_the_plan_of_the_time_on_request(
    recorded, capsys, arguments, revision, baseline
):
    engine = store.open_store()
    plan = store.read_plans(engine)[-1]
    row = plan.indicators.set_index("code").loc["1-①"]
    values = {spec.column: row[spec.column] for spec in PLAN_FIELDS} | {"baseline_value": 30.0}
    saved = datetime(2026, 5, 10, 1, 30, tzinfo=UTC)
    save_revision(engine, plan, revise_indicator(plan, "1-①", values), "管理太郎", "基準値の訂正", saved)
    assert main(["status", "--year", "2020", *arguments]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(f"計画: {revision}")
    assert main(["status", "--year", "2020", "--format", "csv", *arguments]) == 0
    first = capsys.readouterr().out.splitlines()[1].split(",")
    assert first[7] == baseline


def test_status_names_what_is_still_fictional(recorded, capsys):
    assert main(["status", "--year", "2020"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "サンプル（架空）データ: 基準値・目標値（11指標）がサンプルです。"
