"""Long tables are shown a page at a time, as a person pages through them; short ones whole."""

import pytest
from streamlit.testing.v1 import AppTest


def _numbers_table(rows: int) -> None:
    import pandas as pd

    from ui.layout import show_table

    show_table(pd.DataFrame({"番号": range(1, rows + 1)}), key="numbers")


def _seen(app: AppTest) -> tuple[list[str], list[int], list[str]]:
    return (
        [chooser.label for chooser in app.number_input],
        app.table[0].value["番号"].tolist(),
        [caption.value for caption in app.caption],
    )


@pytest.mark.parametrize(
    ("rows", "page", "expected"),
    [
        (2, None, ([], [1, 2], [])),
        (50, None, ([], list(range(1, 51)), [])),
        (120, None, (["ページ（全3ページ）"], list(range(1, 51)), ["全120行のうち 1〜50行目"])),
        (120, 3, (["ページ（全3ページ）"], list(range(101, 121)), ["全120行のうち 101〜120行目"])),
    ],
)
def test_table_shows_at_most_one_page_and_says_which_rows(rows: int, page: int | None, expected: tuple) -> None:
    app = AppTest.from_function(_numbers_table, args=(rows,)).run()
    if page is not None:
        app.number_input[0].set_value(page).run()
    assert _seen(app) == expected


def _chart_page() -> None:
    import streamlit as st

    from ui.layout import choose_page

    st.write(list(range(1, 31))[choose_page(30, key="charts", per_page=12, unit="件")])


def test_charts_are_paged_in_their_own_count_and_word() -> None:
    app = AppTest.from_function(_chart_page).run()
    app.number_input[0].set_value(3).run()
    assert (app.number_input[0].label, app.caption[0].value, app.json[0].value) == (
        "ページ（全3ページ）",
        "全30件のうち 25〜30件目",
        "[25, 26, 27, 28, 29, 30]",
    )
