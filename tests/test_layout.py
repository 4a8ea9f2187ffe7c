"""Tables are one plain HTML element that a phone shows as cards; long ones are shown a page at a time,
as a person pages through them; short ones whole."""

import pytest
from page_tables import page_tables
from streamlit.testing.v1 import AppTest


def _numbers_table(rows: int) -> None:
    import pandas as pd

    from ui.layout import show_table

    show_table(pd.DataFrame({"番号": range(1, rows + 1)}), key="numbers")


def _texts(first: int, stop: int) -> list[str]:
    return [str(number) for number in range(first, stop)]


def _seen(app: AppTest) -> tuple[list[str], list[str], list[str]]:
    return (
        [chooser.label for chooser in app.number_input],
        page_tables(app)[0]["番号"].tolist(),
        [caption.value for caption in app.caption],
    )


@pytest.mark.parametrize(
    ("rows", "page", "expected"),
    [
        (2, None, ([], ["1", "2"], [])),
        (50, None, ([], _texts(1, 51), [])),
        (120, None, (["ページ（全3ページ）"], _texts(1, 51), ["全120行のうち 1〜50行目"])),
        (120, 3, (["ページ（全3ページ）"], _texts(101, 121), ["全120行のうち 101〜120行目"])),
    ],
)
def test_table_shows_at_most_one_page_and_says_which_rows(rows: int, page: int | None, expected: tuple) -> None:
    app = AppTest.from_function(_numbers_table, args=(rows,)).run()
    if page is not None:
        app.number_input[0].set_value(page).run()
    assert _seen(app) == expected


def _awkward_table(rows: int) -> None:
    import pandas as pd

    from ui.layout import show_table

    table = pd.DataFrame(
        {
            "指標": ["<script>alert(1)</script>", "=1+1"],
            "<b>値</b>": ["A & B", None],
            "回答者数": pd.array([1210, None], dtype="Int64"),
        }
    )
    show_table(table.head(rows), key="awkward")


def test_a_table_is_one_html_table_with_column_headers_escaped_text_and_phone_labels() -> None:
    app = AppTest.from_function(_awkward_table, args=(2,)).run()
    assert (len(app.main.children), len(app.html), len(app.table)) == (1, 1, 0)
    body = app.html[0].value
    assert body.startswith('<table class="page-table table-awkward"><thead><tr><th scope="col">指標</th>')
    assert '<th scope="col">&lt;b&gt;値&lt;/b&gt;</th><th scope="col">回答者数</th></tr></thead><tbody>' in body
    assert [tag for tag in ("<script", "<b>") if tag in body] == []
    assert '<td data-label="指標">&lt;script&gt;alert(1)&lt;/script&gt;</td>' in body
    assert (
        '<td data-label="&lt;b&gt;値&lt;/b&gt;">A &amp; B</td><td data-label="回答者数" class="num">1210</td>' in body
    )
    # Missing values are blank, as Streamlit's own table showed them; a formula is only text.
    assert page_tables(app)[0].values.tolist() == [
        ["<script>alert(1)</script>", "A & B", "1210"],
        ["=1+1", "", ""],
    ]


def test_a_table_without_rows_says_so_and_reads_back_empty() -> None:
    app = AppTest.from_function(_awkward_table, args=(0,)).run()
    assert '<tbody><tr class="empty"><td colspan="3">該当なし</td></tr></tbody>' in app.html[0].value
    [table] = page_tables(app)
    assert (table.columns.tolist(), len(table)) == (["指標", "<b>値</b>", "回答者数"], 0)


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


def test_pinned_streamlit_ships_its_chart_code_as_one_file_that_chart_pages_load_early() -> None:
    from ui.layout import find_chart_module

    # None would mean an upgrade renamed or split it: chart pages would then quietly stop loading it early.
    assert find_chart_module() is not None
