"""Everything the pages and reports show for one year and method, evaluated once."""

from dataclasses import dataclass

import pandas as pd

from analytics import vocabulary as v
from analytics.evaluation import evaluate_breakdowns, evaluate_indicators, evaluate_observations, summarise_statuses
from analytics.evaluation_settings import Settings


@dataclass(frozen=True)
class PlanEvaluation:
    """The plan's indicators, their yearly series, their breakdown cells and the roll-up, for one year."""

    year: int
    method: str
    indicators: pd.DataFrame
    history: pd.DataFrame
    breakdowns: pd.DataFrame
    summary: pd.DataFrame

    def history_of(self, code: str) -> pd.DataFrame:
        """One indicator's overall series up to the evaluated year."""
        return self.history[self.history["indicator_code"] == code]

    def breakdowns_of(self, code: str) -> pd.DataFrame:
        return self.breakdowns[self.breakdowns["code"] == code]


def evaluate_plan(
    indicators: pd.DataFrame, observations: pd.DataFrame, settings: Settings, year: int | None, method: str
) -> PlanEvaluation:
    """Evaluate at `year` (default: the latest year with any overall value) with `method`.

    Years after `year` are left out of the series, so a chart of FY2022 shows what was known then.
    """
    overall = observations[observations["dimension"] == v.OVERALL]
    year = int(overall["fiscal_year"].max()) if year is None else int(year)
    known = observations[observations["fiscal_year"] <= year]
    evaluated = evaluate_indicators(indicators, known, settings, year=year, method=method)
    series = evaluate_observations(indicators, known[known["dimension"] == v.OVERALL], settings, method=method)
    return PlanEvaluation(
        year=year,
        method=method,
        indicators=evaluated,
        history=series.reset_index(drop=True),
        breakdowns=evaluate_breakdowns(indicators, known, settings, year=year, method=method),
        summary=summarise_statuses(evaluated),
    )
