"""The 所見 section of the indicator page: the current commentary for everyone, the editor for editors."""

import streamlit as st

from analytics import vocabulary as v
from analytics.reports.report_content import COMMENTARY_LIMIT, CommentaryError, save_commentary, sign_commentary
from ui.auth import current_editor, show_sign_in
from ui.context import get_engine, read_commentary

_SAVED = "commentary_saved"


def show_commentary(code: str, year: int) -> None:
    """What a manager wrote about this indicator for this year (carried into every report), and for a
    signed-in editor a form to write or change it; everyone else may sign in from here."""
    st.markdown(f"**所見（{v.format_fiscal_year(year)}）**")
    if st.session_state.pop(_SAVED, False):
        st.success("所見を保存しました。", icon=":material/check_circle:")
    current = read_commentary(year).set_index("indicator_code")
    text = current.loc[code, "text"] if code in current.index else ""
    if text:
        # Plain text: a 所見 is words, and a link or image written in it must not render.
        st.text(text)
        st.caption(sign_commentary(current.loc[code, "written_by"], current.loc[code, "written_at"]))
    else:
        st.caption("この年度の所見はまだありません。報告書には「所見はまだありません」と載ります。")
    editor = current_editor()
    if editor is None:
        with st.expander("所見を書く（編集者のみ）", icon=":material/lock:"):
            show_sign_in()
        return
    with st.form(f"commentary-{code}-{year}", border=False):
        written = st.text_area(
            "所見",
            value=text,
            max_chars=COMMENTARY_LIMIT,
            help="報告書（PowerPoint・Excel・HTML）と発表モードに載ります。空にして保存すると取り下げます。",
        )
        if st.form_submit_button("所見を保存", icon=":material/save:"):
            try:
                save_commentary(get_engine(), code, year, written, editor.name)
            except CommentaryError as error:
                st.error(str(error), icon=":material/error:")
                return
            st.session_state[_SAVED] = True
            st.rerun()
