"""Everything the pages and reports show for one year and method, evaluated once."""

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from analytics import vocabulary as v
from analytics.evaluation import evaluate_breakdowns, evaluate_indicators, evaluate_observations, summarise_statuses
from analytics.evaluation_settings import Settings
from analytics.progress import attach_yearly_targets


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
        return self._histories.get(code, self.history.iloc[:0])

    @cached_property
    def _histories(self) -> dict[str, pd.DataFrame]:
        # Split once: a page draws several indicators, and each filter would scan every series.
        return dict(list(self.history.groupby("indicator_code", sort=False, observed=True)))

    def breakdowns_of(self, code: str) -> pd.DataFrame:
        return self.breakdowns[self.breakdowns["code"] == code]


def count_indicators_by_year(indicators: pd.DataFrame, observations: pd.DataFrame) -> pd.Series:
    """How many of the plan's indicators have an overall value in each fiscal year, latest first."""
    overall = observations[
        (observations["dimension"] == v.OVERALL) & observations["indicator_code"].isin(indicators["code"])
    ]
    return overall.groupby("fiscal_year")["indicator_code"].nunique().sort_index(ascending=False)


def default_year(indicators: pd.DataFrame, observations: pd.DataFrame) -> int | None:
    """The latest fiscal year in which at least half of the plan's indicators have a value.

    Surveys come back at different times: when only the staff survey of a new year is in, the
    dashboard should not open on a year where most indicators read データなし.
    """
    counts = count_indicators_by_year(indicators, observations)
    complete = counts[counts * 2 >= len(indicators)]
    if not complete.empty:
        return int(complete.index[0])
    return int(counts.index[0]) if not counts.empty else None


def evaluate_plan(
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    settings: Settings,
    year: int | None,
    method: str,
    yearly_targets: pd.DataFrame | None = None,
) -> PlanEvaluation:
    """Evaluate at `year` (default: see default_year) with `method`, along the plan's 年次目標 where it sets them.

    Years after `year` are left out of the series, so a chart of FY2022 shows what was known then.
    """
    year = default_year(indicators, observations) if year is None else int(year)
    if yearly_targets is not None:
        indicators = attach_yearly_targets(indicators, yearly_targets)
    known = observations[observations["fiscal_year"] <= year]
    evaluated = evaluate_indicators(indicators, known, settings, year=year, method=method)
    if yearly_targets is not None:
        # The chart draws its path through the same 年次目標 the evaluation graded against.
        evaluated = evaluated.assign(yearly_targets=indicators["yearly_targets"].to_numpy())
    series = evaluate_observations(indicators, known[known["dimension"] == v.OVERALL], settings, method=method)
    return PlanEvaluation(
        year=year,
        method=method,
        indicators=evaluated,
        history=series.reset_index(drop=True),
        breakdowns=evaluate_breakdowns(indicators, known, settings, year=year, method=method),
        summary=summarise_statuses(evaluated),
    )


def describe_partial_years(indicators: pd.DataFrame, observations: pd.DataFrame, year: int) -> str | None:
    """A note for years after `year` that hold fewer than half the indicators, so nobody misses a new upload.

    A complete later year is simply there to choose; calling it 「半数に満たない」 would be false.
    """
    counts = count_indicators_by_year(indicators, observations)
    newer = counts[(counts.index > year) & (counts * 2 < len(indicators))]
    if newer.empty:
        return None
    years = "、".join(f"{v.format_fiscal_year(int(y))}（{n}指標）" for y, n in newer.sort_index().items())
    return (
        f"{years}の値も登録されていますが、{len(indicators)}指標の半数に満たないため、"
        "既定ではデータのそろった年度を表示しています。サイドバーで年度を選ぶと表示できます。"
    )
