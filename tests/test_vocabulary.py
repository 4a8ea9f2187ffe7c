from datetime import date, datetime

import pytest

from analytics.vocabulary import format_fiscal_year, format_japanese_date, format_japanese_datetime


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


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 24, 15, 3), "令和8年11月24日 15:03"),
        (datetime(2019, 5, 1, 9, 0), "令和元年5月1日 09:00"),
        (datetime(2019, 4, 30, 12, 0), "平成31年4月30日 12:00"),
        (datetime(2018, 3, 31, 23, 59), "平成30年3月31日 23:59"),
    ],
)
def test_a_moment_is_written_with_its_era_year_month_and_day(moment: datetime, expected: str) -> None:
    assert format_japanese_datetime(moment) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 24), "令和8年11月24日"),
        (date(2025, 2, 3), "令和7年2月3日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
    ],
)
def test_a_date_on_official_papers_is_written_in_its_era(day: date, expected: str) -> None:
    assert format_japanese_date(day) == expected
