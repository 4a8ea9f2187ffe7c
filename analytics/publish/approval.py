"""公表: which fiscal years an 管理者 has released to citizens, and the record of every decision."""

from sqlalchemy.engine import Engine

from analytics import store


def publish_year(engine: Engine, fiscal_year: int, user: str) -> None:
    """Release one fiscal year's results and 所見 to citizens (recorded with who and when)."""
    store.record_publication(engine, fiscal_year, True, user)


def withdraw_year(engine: Engine, fiscal_year: int, user: str) -> None:
    """Take one fiscal year back from the public output; the earlier 公表 stays on record."""
    store.record_publication(engine, fiscal_year, False, user)


def read_published_years(engine: Engine) -> list[int]:
    """The fiscal years whose newest decision is 公表, oldest first."""
    decisions = store.read_publications(engine)
    newest = decisions.groupby("fiscal_year")["published"].last()
    return sorted(int(year) for year, published in newest.items() if published)
