import pytest

from analytics.cells import CellError, normalise_text, parse_fiscal_year, parse_number


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (2024, 2024),
        (2024.0, 2024),
        ("2024", 2024),
        ("２０２４", 2024),
        ("2024年度", 2024),
        ("令和6年度", 2024),
        ("令和６年度", 2024),
        ("R6", 2024),
        ("r6", 2024),
        ("H30", 2018),
        ("平成30年度", 2018),
        ("平成31年度", 2019),
        ("令和元年度", 2019),
        ("令和6(2024)年度", 2024),
        ("令和6（2024）年度", 2024),
        (" 令和 6 年度 ", 2024),
    ],
)
def test_fiscal_year_is_read_in_every_way_the_city_writes_it(cell: object, expected: int) -> None:
    assert parse_fiscal_year(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (6, "元号のない年数は判別できません"),
        ("6年度", "元号がないため、令和か平成か判別できません"),
        ("令和6(2023)年度", "元号の年と西暦（2023）が一致しません"),
        ("昨年度", "年度として読めません"),
    ],
)
def test_fiscal_year_that_cannot_be_read_says_how_to_write_it(cell: object, message: str) -> None:
    with pytest.raises(CellError, match=message):
        parse_fiscal_year(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (45.2, 45.2),
        (45, 45.0),
        ("45.2", 45.2),
        ("４５．２", 45.2),
        ("45.2%", 45.2),
        ("４５．２％", 45.2),
        ("1,234", 1234.0),
    ],
)
def test_number_is_read_from_numeric_and_japanese_text_cells(cell: object, expected: float) -> None:
    assert parse_number(cell) == expected


@pytest.mark.parametrize("cell", ["約45", "45.2ポイント", "abc", True])
def test_text_where_a_number_belongs_is_an_error(cell: object) -> None:
    with pytest.raises(CellError, match="数"):
        parse_number(cell)


@pytest.mark.parametrize(("cell", "expected"), [("１－①", "1-①"), ("1ー①", "1-①"), (" 1 - ① ", "1-①"), (None, "")])
def test_codes_compare_equal_whatever_width_and_dash(cell: object, expected: str) -> None:
    assert normalise_text(cell) == expected
