"""データ取込: upload survey files, preview every row, confirm as one import; template, history and undo."""

import hashlib
from collections.abc import Callable
from datetime import date

import streamlit as st

from analytics import store
from analytics.accounts import User
from analytics.importer import RejectedImportError
from analytics.observations import CHANGED, NEW, UNCHANGED
from analytics.spreadsheets import MAX_FILE_BYTES
from analytics.upload import (
    ERROR,
    UploadPreview,
    commit_upload,
    describe_progress,
    describe_result,
    describe_withdrawal,
    preview_upload_isolated,
    tabulate_batches,
    tabulate_issues,
    tabulate_preview,
    template_workbook,
)
from ui.auth import current_editor, show_sign_in, show_signed_in
from ui.context import get_engine, read_current_plan, read_observations, show_failure, show_header
from ui.layout import choose_page, show_table

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False)
def _template(revision: int, today: date) -> bytes:
    return template_workbook(read_current_plan(), today)


def _read_upload(files: list, engine, plan) -> UploadPreview:
    """The preview for these files against the store as it is now, rebuilt only when either changes."""
    payload = [(file.name, file.getvalue()) for file in files]
    seen_batch = store.read_data_version(engine)[0]
    key = (seen_batch, tuple((name, hashlib.sha256(content).hexdigest()) for name, content in payload))
    if st.session_state.get("preview_key") == key:
        return st.session_state["preview"]
    with st.status("ファイルを読み込んでいます…", expanded=True) as status:
        bar = st.progress(0.0)

        def progress(index: int, name: str, rows: int) -> None:
            bar.progress(index / len(payload), text=describe_progress(index, len(payload), name, rows))

        preview = preview_upload_isolated(
            payload, plan.indicators, read_observations(), seen_batch, on_progress=progress
        )
        bar.progress(1.0, text="読み込みました")
        status.update(label=f"{len(payload)} 件のファイルを読み込みました", state="complete", expanded=False)
    st.session_state.update(preview=preview, preview_key=key)
    return preview


def _show_preview(preview: UploadPreview) -> None:
    counts = preview.counts
    labels = {NEW: "新規", CHANGED: "変更", UNCHANGED: "変更なし", ERROR: "エラー"}
    for column, (status, label) in zip(st.columns(4), labels.items(), strict=True):
        column.metric(label, f"{counts[status]:,} 件")
    if preview.withdrawn_sample:
        st.info(describe_withdrawal(preview.withdrawn_sample), icon=":material/science:")
    with st.expander("シートごとの読み込み結果", expanded=any(s.layout is None for s in preview.validation.sheets)):
        st.text("\n".join(str(sheet) for sheet in preview.validation.sheets) or "読み込めたシートはありません")
    issues = preview.validation.issues
    if issues:
        st.error(
            f"{len(issues)} 件の問題があるため、取り込めません。ファイルを直してから、もう一度アップロードしてください。",
            icon=":material/error:",
        )
        # A table that wraps: each fix must be readable in full.
        st.table(tabulate_issues(preview), hide_index=True)
    if not preview.rows.empty:
        # One page at a time: a million rows would be laid out in Japanese and sent on every rerun.
        shown = choose_page(len(preview.rows), key="preview")
        table = tabulate_preview(preview, shown)
        st.dataframe(table, hide_index=True, width="stretch", height=min(600, 38 + 35 * len(table)))


def _confirm(preview: UploadPreview, editor: User, engine) -> None:
    if preview.validation.ok and not preview.can_commit:
        unchanged = preview.counts[UNCHANGED]
        st.info(f"変更はありません（{unchanged:,} 行はすべて登録済みの値と同じです）。", icon=":material/info:")
        return
    if not st.button("この内容で取り込む", type="primary", disabled=not preview.can_commit):
        return
    try:
        result = commit_upload(engine, preview, editor.name)
    except (store.StoreError, RejectedImportError) as error:
        st.session_state.pop("preview_key", None)
        st.error(str(error), icon=":material/error:")
        return
    st.session_state["done"] = describe_result(result)
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.session_state.pop("preview_key", None)
    st.rerun()


def _upload(editor: User, engine, plan) -> None:
    show_signed_in(editor)
    # xlsm is let through the picker so that the refusal comes from us, in Japanese, saying what to do.
    files = st.file_uploader(
        f"調査結果のファイル（xlsx・xls・csv、複数可。1ファイル {MAX_FILE_BYTES // 1024 // 1024} MB まで）",
        type=["xlsx", "xls", "csv", "xlsm"],
        accept_multiple_files=True,
        key=f"uploader_{st.session_state.get('upload_round', 0)}",
    )
    if not files:
        return
    preview = _read_upload(files, engine, plan)
    _show_preview(preview)
    _confirm(preview, editor, engine)


def _history(editor: User | None, engine) -> None:
    batches = store.read_batches(engine)
    history = tabulate_batches(batches)
    show_table(history, key="history")  # a table that wraps: file names are shown in full
    if editor is None or batches.empty:
        return
    labels = dict(zip(batches["id"], history["ファイル"], strict=True))
    choice = st.selectbox(
        "取り消す取込",
        list(labels),
        index=None,
        format_func=lambda batch: f"取込 {batch}　{labels[batch]}",
        placeholder="選んでください",
        help="その取込の前の値に戻します。取り消しも1つの取込として履歴に残ります。",
    )
    if st.button("この取込を取り消す", disabled=choice is None):
        try:
            result = store.undo_batch(engine, choice, editor.name, expected_batch=int(batches["id"].max()))
        except store.StoreError as error:
            st.error(str(error), icon=":material/error:")
            return
        st.session_state["done"] = describe_result(result, undone_batch=choice)
        st.rerun()


def _without_traceback(section: Callable[[], None]) -> None:
    """Run a part of the page; a failure is shown as its one sentence (details to the log) and the
    rest of the page still runs."""
    try:
        section()
    except Exception as error:
        show_failure(error)


show_header("データ取込")
engine = get_engine()
plan = read_current_plan()
if message := st.session_state.pop("done", None):
    st.success(message, icon=":material/check_circle:")

st.markdown(
    "毎年の調査結果（市民・職員意識調査、業務統計）のファイルを取り込みます。"
    "取り込む前に、すべての行が **新規・変更・変更なし・エラー** のどれかを確認できます。"
)
st.download_button(
    "記入用テンプレート（xlsx）",
    data=_template(plan.revision, date.today()),
    file_name="調査結果_取込テンプレート.xlsx",
    mime=_XLSX,
    icon=":material/download:",
    help="縦長形式（1行に1つの値）。記入方法、指標一覧、年度と指標の選択肢が入っています。",
)
st.caption("横長形式（1行に1指標、1列に1年度。回答者数は「回答者数」の行か列のまとまりで）の表もそのまま取り込めます。")

st.subheader("ファイルを取り込む")
editor = current_editor()
if editor is None:
    st.info(
        "閲覧はどなたでもできます。取り込みと取り消しには、編集者としてのログインが必要です。", icon=":material/lock:"
    )
    show_sign_in()
else:
    _without_traceback(lambda: _upload(editor, engine, plan))

st.subheader("取込の履歴")
_without_traceback(lambda: _history(editor, engine))
