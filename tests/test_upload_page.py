"""データ取込 under AppTest: open to view, editor-only to upload and undo, preview → confirm → undo."""

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from page_tables import page_tables
from streamlit.testing.v1 import AppTest

from analytics import store, upload
from analytics.accounts import create_user
from analytics.bootstrap import SAMPLE_DIRECTORY
from analytics.importer import import_files, read_files

PAGE = Path(__file__).resolve().parent.parent / "pages" / "upload.py"
UPLOADS = Path(__file__).resolve().parent / "fixtures" / "upload"


@pytest.fixture(autouse=True)
def _store_with_an_editor(monkeypatch: pytest.MonkeyPatch, database_url: str, engine) -> None:
    monkeypatch.setenv(store.DATABASE_URL_VARIABLE, database_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    create_user(engine, "山田", "correct horse")


def _open() -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=30)
    app.run()
    return app


def _sign_in(app: AppTest, password: str = "correct horse") -> AppTest:
    app.text_input[0].input("山田")
    app.text_input[1].input(password)
    app.button[0].click()
    return app.run()


def _labels(app: AppTest) -> list[str]:
    return [button.label for button in app.button]


def test_anyone_sees_the_template_and_the_history_but_not_the_uploader(engine) -> None:
    app = _open()
    assert not app.exception
    assert len(app.file_uploader) == 0
    assert "この取込を取り消す" not in _labels(app)
    assert "ログイン" in _labels(app)
    assert app.get("download_button")[0].proto.label == "記入用テンプレート（xlsx）"
    history = page_tables(app)[0]
    assert history[["取込者", "新規"]].values.tolist() == [
        ["サンプルデータ", str(len(store.read_observations(engine)))]
    ]


def test_a_wrong_password_is_refused_and_still_no_uploader() -> None:
    app = _sign_in(_open(), "wrong horse")
    assert app.error[0].value.startswith("ユーザー名かパスワードが違います。分からない場合は、管理者に")
    assert "python -m" not in app.error[0].value
    assert len(app.file_uploader) == 0


def test_an_editor_uploads_sees_the_preview_confirms_and_undoes(engine) -> None:
    import_files(engine, read_files(sorted(SAMPLE_DIRECTORY.glob("*.xlsx"))), "初期データ")  # now a live store
    before = store.read_observations(engine)
    app = _sign_in(_open())
    assert any("山田 さん（編集者）としてログインしています" in caption.value for caption in app.caption)
    content = (UPLOADS / "wide_merged_header.xlsx").read_bytes()
    app.file_uploader[0].set_value(("wide_merged_header.xlsx", content, "application/octet-stream"))
    app.run()
    assert not app.exception
    assert [metric.value for metric in app.metric] == ["2 件", "0 件", "4 件", "0 件"]
    preview = app.dataframe[0].value
    assert preview["判定"].tolist() == ["変更なし", "変更なし", "新規", "変更なし", "変更なし", "新規"]

    next(button for button in app.button if button.label == "この内容で取り込む").click()
    app.run()
    assert app.success[0].value.endswith("新規 2 件、変更 0 件（変更なし 4 件）。")
    latest = store.read_batches(engine).iloc[0]
    assert (latest["created_by"], latest["files"], latest["added"]) == ("山田", "wide_merged_header.xlsx", 2)

    app.selectbox[0].select(int(latest["id"])).run()
    next(button for button in app.button if button.label == "この取込を取り消す").click()
    app.run()
    assert app.success[0].value.startswith(f"取込 {latest['id']} を取り消しました")
    pd.testing.assert_frame_equal(store.read_observations(engine), before)


def test_a_file_already_imported_says_nothing_changes_and_offers_no_confirm(engine) -> None:
    app = _sign_in(_open())
    content = (UPLOADS / "wide_merged_header.xlsx").read_bytes()
    app.file_uploader[0].set_value(("wide_merged_header.xlsx", content, "application/octet-stream"))
    next(button for button in app.run().button if button.label == "この内容で取り込む").click()
    app.run()
    batches = store.read_batches(engine)

    app.file_uploader[0].set_value(("wide_merged_header.xlsx", content, "application/octet-stream"))
    app.run()
    assert not app.exception
    assert [info.value for info in app.info] == ["変更はありません（6 行はすべて登録済みの値と同じです）。"]
    assert "この内容で取り込む" not in _labels(app)
    pd.testing.assert_frame_equal(store.read_batches(engine), batches)


def test_the_first_real_upload_says_it_withdraws_the_sample_and_does(engine) -> None:
    app = _sign_in(_open())
    content = (UPLOADS / "wide_merged_header.xlsx").read_bytes()
    app.file_uploader[0].set_value(("wide_merged_header.xlsx", content, "application/octet-stream"))
    app.run()
    assert [info.value for info in app.info] == [
        "取り込むと、サンプル（架空）の調査結果 1,351 件を取り下げます。"
        "取り下げは別の取込として履歴に残り、それを取り消せば元に戻せます。"
    ]
    assert [metric.value for metric in app.metric] == ["6 件", "0 件", "0 件", "0 件"]
    next(button for button in app.button if button.label == "この内容で取り込む").click()
    app.run()
    assert app.success[0].value == (
        "サンプル（架空）の調査結果 1,351 件を取り下げました（取込 2）。"
        "取込 3 として取り込みました: 新規 6 件、変更 0 件（変更なし 0 件）。"
    )
    assert page_tables(app)[0]["ファイル"].tolist() == [
        "wide_merged_header.xlsx",
        "（サンプルデータの取り下げ）",
        "administrative_count_sample.xlsx、citizen_survey_sample.xlsx、staff_survey_sample.xlsx",
    ]
    assert not store.read_observations(engine)["sample"].any()


def test_a_file_with_errors_lists_them_and_cannot_be_confirmed(engine) -> None:
    app = _sign_in(_open())
    content = (UPLOADS / "ambiguous_fraction.xlsx").read_bytes()
    app.file_uploader[0].set_value(("ambiguous_fraction.xlsx", content, "application/octet-stream"))
    app.run()
    assert app.error[0].value.startswith("1 件の問題があるため、取り込めません。")
    issues = app.table[0].value
    assert issues[["シート", "セル"]].values.tolist() == [["調査結果", "C2"]]
    assert issues.loc[0, "問題と直し方"].startswith("割合が 0〜1 の小数で書かれていて")
    assert next(button for button in app.button if button.label == "この内容で取り込む").disabled


def test_a_macro_workbook_is_refused_in_japanese_and_nothing_is_written(engine) -> None:
    before = store.read_batches(engine)
    app = _sign_in(_open())
    app.file_uploader[0].set_value(("survey.xlsm", (UPLOADS / "macro.xlsm").read_bytes(), "application/octet-stream"))
    app.run()
    assert app.table[0].value.loc[0, "問題と直し方"].startswith("マクロを含むブックは安全のため受け付けません")
    pd.testing.assert_frame_equal(store.read_batches(engine), before)


def test_a_reading_worker_that_runs_out_of_time_costs_one_message_and_the_page_lives_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(upload, "READ_SECONDS", 0.01)
    app = _sign_in(_open())
    app.file_uploader[0].set_value(
        ("wide_simple.xlsx", (UPLOADS / "wide_simple.xlsx").read_bytes(), "application/octet-stream")
    )
    app.run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "ファイルの読み込みが 0.01 秒を超えたため中止しましたので、不要なシートや行を削除して"
        "ファイルを小さくするか、ファイルを分けてからもう一度アップロードしてください（何も書き込んでいません）。"
    ]
    assert app.subheader[-1].value == "取込の履歴"
    assert len(app.table) == 0  # no list of problems
    assert len(page_tables(app)) == 1  # the history still shows
