import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from analytics import store
from analytics.accounts import authenticate
from analytics.cli import main

IMPORTS = Path(__file__).resolve().parent / "fixtures" / "import"
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


def test_validate_accepts_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(IMPORTS / "good_long.xlsx")]) == 0
    assert capsys.readouterr().out.strip() == "問題はありません（4 行）。"


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
    assert len(store.read_batches(store.open_store(database_url))) == 2  # the sample data and the first import


def test_import_refuses_a_change_without_replace_then_applies_it_with_replace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, database_url: str
) -> None:
    changed = tmp_path / "changed.csv"
    changed.write_text("年度,指標,値,回答者数\n2024,1-①,55.0,1210\n", encoding="utf-8")
    main(["init"])
    capsys.readouterr()

    assert main(["import", str(changed)]) == 1
    output = capsys.readouterr().out
    assert "1-① 令和6(2024)年度（全体）: 登録済み 53.4（n=1,202） → 新しい値 55（n=1,210）" in output
    assert "--replace" in output

    assert main(["import", "--replace", "--user", "山田", str(changed)]) == 0
    assert "新規 0 件、変更 1 件、変更なし 0 件" in capsys.readouterr().out
    stored = _stored(database_url).set_index(["indicator_code", "fiscal_year", "dimension", "category"])
    assert stored.loc[("1-①", 2024, "", ""), "value"] == 55.0
    engine = store.open_store(database_url)
    latest = store.read_batches(engine).iloc[0]
    history = store.read_observation_history(engine, latest["id"])
    assert (latest["created_by"], history.loc[0, "old_value"], history.loc[0, "new_value"]) == ("山田", 53.4, 55.0)


def test_user_add_reads_the_password_from_stdin_and_stores_an_editor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    assert main(["user", "add", "山田", "--role", "editor"]) == 0
    assert "ユーザー「山田」（役割: editor）を登録しました。" in capsys.readouterr().out
    user = authenticate(store.open_store(database_url), "山田", "correct horse")
    assert user is not None
    assert user.is_editor


def test_user_add_refuses_a_short_password(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "山田"]) == 2
    assert "パスワードは 8 文字以上にしてください。" in capsys.readouterr().err
