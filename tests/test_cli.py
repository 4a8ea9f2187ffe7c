import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from analytics import store
from analytics.accounts import authenticate
from analytics.bootstrap import SAMPLE_DIRECTORY
from analytics.cli import main

ROOT = Path(__file__).resolve().parents[1]
IMPORTS = ROOT / "tests" / "fixtures" / "import"
UPLOADS = IMPORTS.parent / "upload"


@pytest.fixture(autouse=True)
def _temporary_store(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)


def _stored(database_url: str):
    return store.read_observations(store.open_store(database_url))


def test_init_says_where_the_database_lives(capsys: pytest.CaptureFixture[str], database_url: str) -> None:
    assert main(["init"]) == 0
    output = capsys.readouterr().out
    url = sa.make_url(database_url)
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    assert f"データベース: {where}\n" in output
    assert "現行: 11月30日現在" in output


def test_validate_accepts_a_good_file_and_says_the_rows_read_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(IMPORTS / "good_long.xlsx")]) == 0
    output = capsys.readouterr()
    assert output.out.splitlines()[0] == "問題はありません（4 行）。"
    assert output.err.split("\r") == [
        "",
        "good_long.xlsx を読み込んでいます（1/1 ファイル、0 行）",
        "good_long.xlsx を読み込んでいます（1/1 ファイル、5 行）",
        "5 行を読み込みました。内容を確認しています…\n",
    ]


def test_validate_prints_one_error_per_line_and_exits_1(capsys: pytest.CaptureFixture[str], database_url: str) -> None:
    main(["init"])
    before = _stored(database_url)
    capsys.readouterr()
    files = [str(IMPORTS / name) for name in ("text_in_number.xlsx", "year_out_of_range.xlsx")]
    assert main(["validate", *files]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "text_in_number.xlsx シート「調査結果」 セルC2",
        "year_out_of_range.xlsx シート「調査結果」 セルA2",
    ]
    assert _stored(database_url).equals(before)


@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_workbook_with_a_stray_far_cell_is_refused_quickly_and_exits_1(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert main([command, str(UPLOADS / "stray_cell.xlsx")]) == 1
    assert "stray_cell.xlsx シート「調査結果」 セルXFD1048576: 使用範囲が XFD1048576 まで" in capsys.readouterr().out


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "no_such_file.xlsx"]) == 2
    assert "ファイルが見つかりません: no_such_file.xlsx" in capsys.readouterr().err


def test_no_file_at_all_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        main(["validate"])
    assert exited.value.code == 2


def test_importing_a_file_again_records_nothing_and_says_so(
    capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    assert main(["import", str(IMPORTS / "good_long.xlsx")]) == 0
    capsys.readouterr()
    assert main(["import", str(IMPORTS / "good_long.xlsx")]) == 0
    assert capsys.readouterr().out == "変更はありません（4 行はすべて登録済みの値と同じです）。\n"
    assert len(store.read_batches(store.open_store(database_url))) == 3  # the sample, its withdrawal, the first import


def test_import_refuses_a_change_without_replace_then_applies_it_with_replace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, database_url: str
) -> None:
    changed = tmp_path / "changed.csv"
    changed.write_text("年度,指標,値,回答者数\n2024,1-①,55.0,1210\n", encoding="utf-8")
    main(["import", "--user", "初期データ", *map(str, sorted(SAMPLE_DIRECTORY.glob("*.xlsx")))])
    capsys.readouterr()

    assert main(["import", str(changed)]) == 1
    output = capsys.readouterr().out
    assert "1-① 令和6(2024)年度（全体）: 登録済み 53.4（n=1,202） → 新しい値 55（n=1,210）" in output
    assert "--replace" in output

    assert main(["import", "--replace", "--user", "山田", str(changed)]) == 0
    assert "新規 0 件、変更 1 件（変更なし 0 件）" in capsys.readouterr().out
    stored = _stored(database_url).set_index(["indicator_code", "fiscal_year", "dimension", "category"])
    assert stored.loc[("1-①", 2024, "", ""), "value"] == 55.0
    engine = store.open_store(database_url)
    latest = store.read_batches(engine).iloc[0]
    history = store.read_observation_history(engine, latest["id"])
    assert (latest["created_by"], history.loc[0, "old_value"], history.loc[0, "new_value"]) == ("山田", 53.4, 55.0)


def _write_wide_history(path: Path) -> None:
    """A city's own wide table, FY2016–FY2024: a share row and a respondents row per indicator."""
    rng = np.random.default_rng(7)
    years = list(range(2016, 2025))
    sheet = Workbook()
    table = sheet.active
    table.append(["参画と協働 市民意識調査 経年表"])
    table.append(["指標", "項目", *(f"{year}年度" for year in years)])
    for code in ("1-①", "1-②", "2-①"):
        table.append([code, "割合", *(round(float(x), 1) for x in rng.uniform(30, 70, len(years)))])
        table.append(["", "回答者数", *(int(x) for x in rng.integers(900, 1400, len(years)))])
    sheet.save(path)


def test_real_history_imports_into_a_fresh_demo_store_and_withdraws_the_sample(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, database_url: str
) -> None:
    history = tmp_path / "経年表.xlsx"
    _write_wide_history(history)
    assert main(["validate", str(history)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "取り込むと、サンプル（架空）の調査結果 1,351 件を取り下げます。"
        "取り下げは別の取込として履歴に残り、それを取り消せば元に戻せます。"
    )
    assert main(["import", "--user", "山田", str(history)]) == 0
    output = capsys.readouterr().out
    assert "サンプル（架空）の調査結果 1,351 件を取り下げました（取込 2）。" in output
    assert "取込 3 として取り込みました: 新規 27 件" in output
    stored = _stored(database_url)
    assert (len(stored), stored["sample"].any(), stored["fiscal_year"].min()) == (27, False, 2016)


def test_a_conflict_with_a_missing_respondent_count_is_listed_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("年度,指標,値\n2024,1-①,53.4\n", encoding="utf-8")
    second.write_text("年度,指標,値,回答者数\n2024,1-①,55.0,\n", encoding="utf-8")
    assert main(["import", str(first)]) == 0
    capsys.readouterr()
    assert main(["import", str(second)]) == 1
    assert "1-① 令和6(2024)年度（全体）: 登録済み 53.4（n=—） → 新しい値 55（n=—）" in capsys.readouterr().out


def test_init_empty_starts_a_store_with_the_plan_and_no_results_for_good(
    capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    assert main(["init", "--empty"]) == 0
    assert "登録済みの観測値: 0 件" in capsys.readouterr().out
    assert main(["init"]) == 0  # a later start (page or command) does not bring the sample back
    assert "登録済みの観測値: 0 件" in capsys.readouterr().out
    assert store.read_batches(store.open_store(database_url)).empty


def test_init_empty_on_a_demo_store_says_the_sample_goes_with_the_first_real_batch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["init"])
    capsys.readouterr()
    assert main(["init", "--empty"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "このデータベースには既にサンプル（架空）の調査結果が 1,351 件あります。"
        "最初の実データを取り込むと、同じ処理の中で取り下げられます。"
    )


@pytest.mark.parametrize(("role", "label", "admin"), [("editor", "編集者", False), ("admin", "管理者", True)])
def test_user_add_reads_the_password_from_stdin_and_stores_the_role(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    role: str,
    label: str,
    admin: bool,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    assert main(["user", "add", "山田", "--role", role]) == 0
    assert f"ユーザー「山田」（役割: {role}、{label}）を登録しました。" in capsys.readouterr().out
    user = authenticate(store.open_store(database_url), "山田", "correct horse")
    assert user is not None
    assert (user.is_editor, user.is_admin) == (True, admin)


def test_user_add_refuses_a_short_password(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "山田"]) == 2
    assert "パスワードは 8 文字以上にしてください。" in capsys.readouterr().err


@pytest.mark.parametrize("arguments", [["--help"], ["export", "--help"], ["status", "--help"]])
def test_help_answers_without_importing_the_heavy_libraries(arguments: list[str]) -> None:
    # A new process, because this one has long imported them all.
    probe = (
        "import sys\nfrom analytics.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'sqlalchemy', 'alembic', 'scipy', 'statsmodels', 'plotly', 'pptx', 'openpyxl', 'jinja2')\n"
        "print(sorted(name for name in heavy if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *arguments], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "usage: python -m analytics" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"
