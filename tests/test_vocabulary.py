import pytest

from analytics.vocabulary import format_fiscal_year


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, "令和6(2024)年度"),
        (2020, "令和2(2020)年度"),
        (2019, "令和元(2019)年度"),
        (2018, "平成30(2018)年度"),
        (1990, "平成2(1990)年度"),
        (1989, "平成元(1989)年度"),
        (1988, "1988年度"),
    ],
)
def test_fiscal_year_is_written_with_era_and_western_year(year: int, expected: str) -> None:
    assert format_fiscal_year(year) == expected
