"""Evaluation of the plan's indicators: every observation, each indicator or breakdown cell in a year, roll-ups."""

import gc
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, stdtrit

from analytics import progress, sampling
from analytics import vocabulary as v
from analytics.evaluation_settings import Settings, SettingsError

SERIES = ["indicator_code", "dimension", "category"]
_PLAN_COLUMNS = [
    "policy_code",
    "respondent",
    "unit",
    "higher_is_better",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
]
_OBSERVATION_COLUMNS = [*SERIES, "fiscal_year", "value", "respondents"]
# A breakdown cell's own starting point and target (issue 12); the plan's for overall rows.
_OWN_COLUMNS = ["baseline_year", "baseline_value", "target_value"]
_TREND_COLUMNS = ("projected_value", "projected_margin", "trend_slope")
_MINUS = "−"
_NO_N = "、n がないため誤差の範囲か判定できません"
_CORRECTED = "区分が多いため偶然の差を除く補正（Benjamini–Hochberg 法）をすると偶然の範囲"
_GRADED = [v.ON_TRACK, v.SLIGHTLY_BEHIND, v.BEHIND, v.WORSENED]
_BELOW_ON_TRACK = _GRADED[1:]
_BEST_FIRST = [v.ACHIEVED, *_GRADED]
_INDICATOR_COLUMNS = [
    "code",
    "name",
    "policy_code",
    "dimension",
    "category",
    "respondent",
    "unit",
    "higher_is_better",
    "year",
    "value",
    "respondents",
    "margin",
    "interval_low",
    "interval_high",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "progress_rate",
    "expected",
    "path",
    "gap",
    "gap_margin",
    "gap_significant",
    "pace",
    "status",
    "status_range",
    "reference",
    "previous_year",
    "change",
    "change_margin",
    "change_significant",
    "projected_value",
    "projected_margin",
    "trend_slope",
    "flags",
    "reasons",
    "within_error",
    "notes",
]


def evaluate_observations(
    indicators: pd.DataFrame, observations: pd.DataFrame, settings: Settings, method: str | None = None
) -> pd.DataFrame:
    """One row per observation of a plan indicator (every year, overall and breakdown cells).

    Adds the sampling error (Wilson interval from the effective n: design effect, and the
    finite-population correction where the plan gives the population; none for 業務統計, NaN where
    n is missing), the expected value on the method's path, 進捗率, the pace or growth ratio, and
    the change since the series' previous observation with its margin.

    The gap to the expected path gets its own interval from the value's and the baseline's own
    Wilson limits (MOVER), so an asymmetric interval is never read as a symmetric ±; a count's
    interval is its tolerance. The status follows the settings' rule: under "evidence" a status
    below 順調 needs a gap beyond that interval and 悪化 a value below the baseline beyond error.
    status_best/status_worst are the grades at the interval's two ends.

    Overall rows are measured against the plan's baseline and target. A breakdown cell is measured
    on its own trajectory: from its own value in the plan's baseline year (or its first value),
    by the same required change as the plan; a cell with n below the minimum is only 参考値.
    Rows are sorted by series (indicator, dimension, category) then year; observations of codes
    the plan does not have are left out.
    """
    rows = _prepare_rows(indicators, observations, settings)
    return _evaluate_rows(indicators, rows, np.arange(len(rows.order)), settings, _method(settings, method))


@dataclass(frozen=True)
class _Rows:
    """Observations in series-then-year order, with what any row may be measured against: its
    series' starting row, its previous row (the one before it unless it starts its series), its
    plan indicator, and its own Wilson limits."""

    source: pd.DataFrame  # the observations as given; `order` takes them into series order
    order: np.ndarray
    starts: np.ndarray
    position: np.ndarray
    cell: np.ndarray
    survey: np.ndarray
    value: np.ndarray
    year: np.ndarray
    n: np.ndarray
    n_effective: np.ndarray
    low: np.ndarray
    high: np.ndarray
    base_row: np.ndarray
    plan_low: np.ndarray
    plan_high: np.ndarray


def _prepare_rows(
    indicators: pd.DataFrame, observations: pd.DataFrame, settings: Settings, cells: bool | None = None
) -> _Rows:
    """What the observations of plan indicators (with `cells` only breakdown cells, with False
    only overall rows) need before any one of them is evaluated: a row may start another's series."""
    progress.check_targets(indicators)
    source = observations.loc[:, _OBSERVATION_COLUMNS]
    order, starts, position, cell = _sorted_by_series(source, indicators["code"], cells)
    # Optional plan columns: a frame built without them (not through IndicatorFrame) has neither.
    plan_n, plan_population = (
        indicators[column].to_numpy(dtype=float, na_value=np.nan)
        if column in indicators
        else np.full(len(indicators), np.nan)
        for column in ("baseline_respondents", "population")
    )
    plan_design_effect = indicators["respondent"].map(settings.design_effect.of).to_numpy(float)
    plan_survey = (indicators["respondent"] != v.ADMINISTRATIVE).to_numpy(bool)
    # The plan's baseline limits are worked out once per indicator, then looked up like every plan value.
    plan_low, plan_high = _limits(
        indicators["baseline_value"].to_numpy(float),
        sampling.effective_respondents(plan_n, plan_design_effect, plan_population),
        plan_survey & ~np.isnan(plan_n),
        settings.confidence,
    )
    survey = plan_survey[position]
    value = source["value"].to_numpy(float)[order]
    year = source["fiscal_year"].to_numpy(float)[order]
    n = source["respondents"].to_numpy(dtype=float, na_value=np.nan)[order]
    # The plan's population is the whole survey's; a cell's own population is unknown, so no correction.
    n_effective = sampling.effective_respondents(
        n, plan_design_effect[position], np.where(cell, np.nan, plan_population[position])
    )
    low, high = _limits(value, n_effective, survey, settings.confidence)
    base_row = _baseline_rows(year, indicators["baseline_year"].to_numpy(float)[position], starts)
    return _Rows(
        source,
        order,
        starts,
        position,
        cell,
        survey,
        value,
        year,
        n,
        n_effective,
        low,
        high,
        base_row,
        plan_low,
        plan_high,
    )


def _evaluate_rows(
    indicators: pd.DataFrame, rows: _Rows, pick: np.ndarray, settings: Settings, method: str
) -> pd.DataFrame:
    """evaluate_observations' columns for the rows `pick` (positions in series order) alone.

    Only the rows asked for are worked out, so that a year's evaluation of many series does not
    pay for every observation of every year.
    """
    thresholds = settings.thresholds(method)
    position = rows.position[pick]
    plan_baseline, plan_target, plan_baseline_year, target_year = (
        indicators[column].to_numpy(float)[position]
        for column in ("baseline_value", "target_value", "baseline_year", "target_year")
    )
    higher = indicators["higher_is_better"].to_numpy(bool)[position]
    survey = rows.survey[pick]
    # A categorical built from codes: a string column taken row by row costs more than the whole evaluation.
    unit_codes, units = pd.factorize(indicators["unit"])
    keys = rows.source.take(rows.order[pick]).reset_index(drop=True)

    value, year, n, cell = rows.value[pick], rows.year[pick], rows.n[pick], rows.cell[pick]
    n_effective, low, high = rows.n_effective[pick], rows.low[pick], rows.high[pick]
    base_row = rows.base_row[pick]
    baseline = np.where(cell, rows.value[base_row], plan_baseline)
    baseline_year = np.where(cell, rows.year[base_row], plan_baseline_year)
    target = np.where(cell, baseline + (plan_target - plan_baseline), plan_target)
    # A cell starts from one of its own observations, whose limits are already known; a plan baseline
    # without n is taken as exact, as plans usually state it.
    baseline_low = np.where(cell, rows.low[base_row], rows.plan_low[position])
    baseline_high = np.where(cell, rows.high[base_row], rows.plan_high[position])

    share = progress.elapsed_share(year, baseline_year, target_year)
    # The city's own 年次目標, where it set them, are the path instead of the method's; a cell
    # follows them by the same change as the plan, as it does the target.
    interim, interim_sensitivity, own_target = progress.interim_path(indicators, position, year)
    follows_targets = ~np.isnan(interim)
    interim = baseline + (interim - plan_baseline)
    share = np.where(follows_targets, progress.progress_rate(interim, baseline, target) / 100, share)
    # Under the growth-rate method the required growth is the one that reaches this year's interim value.
    on_path = follows_targets & (year < target_year)
    required_value, required_year = np.where(on_path, interim, target), np.where(on_path, year, target_year)

    def pace_at(values: np.ndarray) -> np.ndarray:
        if method == v.LINEAR:
            return progress.linear_pace(progress.progress_rate(values, baseline, target), share)
        return progress.growth_ratio(values, year, baseline, baseline_year, required_value, required_year, higher)

    if method == v.LINEAR:
        expected = progress.linear_expected(share, baseline, target)
        sensitivity = 1 - share  # how far the expected value moves with the baseline
    else:
        expected = progress.compound_expected(share, baseline, target)
        with np.errstate(invalid="ignore", divide="ignore"):
            sensitivity = (1 - share) * expected / baseline
    expected = np.where(follows_targets, interim, expected)
    sensitivity = np.where(follows_targets, interim_sensitivity, sensitivity)
    pace = pace_at(value)
    achieved = progress.target_met(value, target, higher)
    tolerance = np.where(survey, 0.0, settings.count_tolerance)
    value_low, value_high = np.where(survey, low, value - tolerance), np.where(survey, high, value + tolerance)
    gap = value - expected
    gap_low, gap_high = sampling.difference_interval(
        value,
        value_low,
        value_high,
        expected,
        expected - sensitivity * (baseline - baseline_low),
        expected + sensitivity * (baseline_high - baseline),
    )
    against_baseline = sampling.difference_interval(value, value_low, value_high, baseline, baseline_low, baseline_high)
    gap_margin = np.where(gap < 0, gap_high - gap, gap - gap_low)
    gap_significant = _excludes_zero(gap_low, gap_high)
    below_baseline = _excludes_zero(*against_baseline) & pd.array(
        np.where(higher, value < baseline, value > baseline), dtype="boolean"
    )
    pessimistic, optimistic = (expected + np.where(higher, a, b) for a, b in ((gap_low, gap_high), (gap_high, gap_low)))
    reference = cell & (n < settings.breakdowns.min_respondents)

    first = rows.starts[pick]
    previous_value, previous_n, previous_year = (
        np.where(first, np.nan, a[pick - 1]) for a in (rows.value, rows.n_effective, rows.year)
    )
    change_margin, p_value = sampling.compare_shares(
        previous_value / 100, previous_n, value / 100, n_effective, settings.confidence
    )
    change = value - previous_value
    change_margin = np.where(survey, change_margin * 100, np.where(np.isnan(change), np.nan, tolerance))
    point = progress.grade(pace, achieved, thresholds.on_track, thresholds.slightly_behind)
    no_evidence = np.zeros(len(value), dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap_p_value = np.where(
            survey, 2 * ndtr(-sampling.critical_z(settings.confidence) * np.abs(gap) / gap_margin), np.nan
        )
    return pd.DataFrame(
        {
            "indicator_code": keys["indicator_code"],
            "dimension": keys["dimension"],
            "category": keys["category"],
            "fiscal_year": keys["fiscal_year"],
            "value": value,
            "respondents": keys["respondents"],
            "effective_respondents": np.where(survey, n_effective, np.nan),
            "unit": pd.Categorical.from_codes(unit_codes[position], categories=units),
            "margin": np.where(survey, (high - low) / 2, 0.0),
            "interval_low": low,
            "interval_high": high,
            "baseline_year": baseline_year.astype(int),
            "baseline_value": baseline,
            "target_value": target,
            "expected": expected,
            # A cell's path is the plan's shifted to its own start, so only an overall value meets the 年次目標 itself.
            "path": np.select(
                [own_target & ~cell, follows_targets], [v.PATH_YEARLY_TARGET, v.PATH_INTERPOLATED], v.PATH_PLAN
            ),
            "gap": gap,
            "gap_low": gap_low,
            "gap_high": gap_high,
            "gap_margin": gap_margin,
            "gap_p_value": gap_p_value,
            "gap_significant": gap_significant,
            "below_baseline": below_baseline,
            "progress_rate": progress.progress_rate(value, baseline, target),
            "pace": pace,
            "point_status": point,
            "status": _apply_rule(point, gap_significant, below_baseline, reference, settings.status_rule),
            "status_best": progress.grade(
                pace_at(optimistic), no_evidence, thresholds.on_track, thresholds.slightly_behind
            ),
            "status_worst": progress.grade(
                pace_at(pessimistic), no_evidence, thresholds.on_track, thresholds.slightly_behind
            ),
            "reference": reference,
            "previous_year": pd.array(previous_year, dtype="Int64"),
            "change": change,
            "change_margin": change_margin,
            "change_p_value": np.where(survey, p_value, np.nan),
            "change_significant": _exceeds(change, change_margin),
        }
    )


def evaluate_indicators(
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    settings: Settings,
    year: int | None = None,
    method: str | None = None,
) -> pd.DataFrame:
    """One row per indicator of the plan, in plan order, with its status, flags and reasons.

    Without `year`, each indicator is evaluated at its own latest year with a value (surveys do
    not all run every year); with `year`, strictly at that year, so an indicator without a value
    then is データなし. Indicators with no value at all are listed too, as データなし.
    """
    overall = observations[observations["dimension"] == v.OVERALL]
    return _evaluate_series(indicators, observations, overall, settings, year, method, cells=False)


def evaluate_breakdowns(
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    settings: Settings,
    year: int | None = None,
    method: str | None = None,
) -> pd.DataFrame:
    """The evaluation of evaluate_indicators for every 年代/地域 cell that has ever had a value.

    Each cell is graded on its own trajectory (see evaluate_observations), so a group that is
    simply lower than the city is not 悪化 for that; cells below the minimum n are 参考値, and flags
    among the cells of one indicator and year are controlled with Benjamini–Hochberg.
    """
    return _evaluate_series(indicators, observations, observations, settings, year, method, cells=True)


def summarise_statuses(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Count statuses per 基本方針 and for the whole plan (policy_code ""), with a summary status.

    Summary rule: the best status that more than half of the indicators with data reach or
    exceed, in the order 達成 > 順調 > やや遅れ > 遅れ > 悪化 (the median, taking the worse middle
    one when the count is even); データなし when no indicator has data. Indicators without data
    are counted but do not vote. Works on evaluate_breakdowns too: one set of rows per cell.
    """
    cell = ["dimension", "category"]
    plan_order = pd.unique(evaluated["policy_code"])
    whole = evaluated.assign(policy_code=v.OVERALL)
    counts = (
        pd.concat([evaluated, whole])
        .groupby([*cell, "policy_code"], sort=False)["status"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=list(v.STATUSES), fill_value=0)
    )
    graded = counts[_BEST_FIRST].to_numpy()
    with_data = graded.sum(axis=1)
    majority = np.argmax(graded.cumsum(axis=1) > with_data[:, None] / 2, axis=1)
    summary = pd.Categorical(
        np.where(with_data > 0, np.array(_BEST_FIRST, dtype=object)[majority], v.NO_DATA),
        categories=list(v.STATUSES),
        ordered=True,
    )
    result = counts.assign(total=counts.sum(axis=1), summary=summary).reset_index()
    result = result.rename_axis(columns=None)
    rank = pd.Index([*plan_order, v.OVERALL]).get_indexer(result["policy_code"])
    return (
        result.assign(_rank=rank)
        .sort_values([*cell, "_rank"], kind="stable")
        .drop(columns="_rank")
        .loc[:, [*cell, "policy_code", "total", *v.STATUSES, "summary"]]
        .reset_index(drop=True)
    )


def _method(settings: Settings, method: str | None) -> str:
    method = method or settings.method
    if method not in v.METHODS:
        raise SettingsError(f"評価方法「{method}」は使えません。{' または '.join(v.METHODS)} を指定してください。")
    return method


def _sorted_by_series(
    frame: pd.DataFrame, plan_codes: pd.Series, cells: bool | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The frame's rows of plan indicators (with `cells` only breakdown cells, with False only
    overall rows, with None both) in series-then-year order, as positions in the frame, and in
    that order: where each series starts, each row's plan position, and whether it is a cell.

    One integer key per row, sorted stably, and plan values looked up by position rather than
    merged on strings: sorting strings or four keys at once, and filtering the frame by strings
    first, is what grew faster than the data.
    """
    (codes, plan_uniques), (dimensions, dimension_uniques), (categories, category_uniques) = (
        pd.factorize(frame[column], sort=True, use_na_sentinel=False) for column in SERIES
    )
    position = pd.Index(plan_codes).get_indexer(plan_uniques)[codes]
    cell = (np.asarray(dimension_uniques, dtype=object) != v.OVERALL)[dimensions]
    kept = np.flatnonzero((position >= 0) & (True if cells is None else cell == cells))
    series = ((codes.astype(np.int64) * len(dimension_uniques) + dimensions) * len(category_uniques) + categories)[kept]
    year = frame["fiscal_year"].to_numpy(np.int64)[kept]
    first_year, span = (int(year.min()), int(np.ptp(year)) + 1) if len(year) else (0, 1)
    ordered = np.argsort(series * span + (year - first_year), kind="stable")
    order, series = kept[ordered], series[ordered]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = series[1:] != series[:-1]
    return order, starts, position[order], cell[order]


def _limits(value: np.ndarray, n: np.ndarray, survey: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson limits in % for survey shares; a count (or a value without a sample) is its own limit."""
    low, high = (limit * 100 for limit in sampling.wilson_interval(value / 100, n, confidence))
    return np.where(survey, low, value), np.where(survey, high, value)


def _baseline_rows(year: np.ndarray, baseline_year: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For every row, the row its series starts from: the one in the baseline year, else the series' first."""
    if not len(year):
        return np.zeros(0, dtype=int)
    first = np.flatnonzero(starts)
    at_baseline = np.where(year == baseline_year, np.arange(len(year)), -1)
    chosen = np.maximum.reduceat(at_baseline, first)
    return np.where(chosen < 0, first, chosen)[np.cumsum(starts) - 1]


def _excludes_zero(low: np.ndarray, high: np.ndarray) -> pd.arrays.BooleanArray:
    """Whether an interval of a difference lies wholly on one side of zero; NA where a limit is unknown."""
    unknown = np.isnan(low) | np.isnan(high)
    beyond = (np.round(np.nan_to_num(low), 9) > 0) | (np.round(np.nan_to_num(high), 9) < 0)
    return pd.arrays.BooleanArray(beyond & ~unknown, unknown)


def _apply_rule(
    point: pd.Categorical,
    gap_significant: pd.arrays.BooleanArray,
    below_baseline: pd.arrays.BooleanArray,
    reference: np.ndarray,
    rule: str,
) -> pd.Categorical:
    """The status shown: the point grade, lifted to 順調 under the evidence rule when the shortfall is
    within error and kept from 悪化 unless the value is below the baseline beyond error. Where the
    error is unknown (no n) the point grade stands. A 参考値 cell is not graded."""
    # Integer codes, not strings: this runs over every observation and string arrays cost seconds there.
    code = {status: position for position, status in enumerate(v.STATUSES)}
    codes = np.asarray(point.codes)
    if rule == v.EVIDENCE:
        below = np.isin(codes, [code[v.SLIGHTLY_BEHIND], code[v.BEHIND], code[v.WORSENED]])
        codes = np.where(below & ~gap_significant.fillna(True).to_numpy(bool), code[v.ON_TRACK], codes)
        unproven = ~below_baseline.fillna(True).to_numpy(bool)
        codes = np.where((codes == code[v.WORSENED]) & unproven, code[v.BEHIND], codes)
    codes = np.where(reference, code[v.NO_DATA], codes)
    return pd.Categorical.from_codes(codes, categories=list(v.STATUSES), ordered=True)


def _exceeds(difference: np.ndarray, margin: np.ndarray) -> pd.arrays.BooleanArray:
    """|difference| > margin, NA where either is unknown (no value, or no n to measure error by)."""
    unknown = np.isnan(difference) | np.isnan(margin)
    # Rounded so that a count's zero change against a zero margin is not "significant" by 1e-15.
    beyond = np.round(np.abs(np.nan_to_num(difference)), 9) > np.round(np.nan_to_num(margin), 9)
    return pd.arrays.BooleanArray(beyond, unknown)


def _evaluate_series(
    indicators: pd.DataFrame,
    observations: pd.DataFrame,
    chosen: pd.DataFrame,
    settings: Settings,
    year: int | None,
    method: str | None,
    *,
    cells: bool,
) -> pd.DataFrame:
    """At `year`: every plan indicator's overall series, or with `cells` every series in `chosen`
    (in plan order, then dimension and category), with the trend, flags and reasons.

    Only each series' row at the year is evaluated in full, and rows are matched to series by
    position, not merged on string keys: both grew faster than the number of series.
    """
    method = _method(settings, method)
    rows = _prepare_rows(indicators, chosen, settings, cells)
    first = np.flatnonzero(rows.starts)
    kept = np.ones(len(rows.year), dtype=bool) if year is None else rows.year <= year
    # Each series' latest row up to the year (its rows run in year order), -1 while it has none;
    # the -1 appended at the end is what a series absent from the rows (index -1) reads.
    in_time = np.where(kept, np.arange(len(kept)), -1)
    latest_row = np.append(np.maximum.reduceat(in_time, first) if len(first) else [], -1).astype(int)
    if cells:
        # Sorted by indicator code, dimension and category: a stable sort by plan position keeps the rest.
        series = np.argsort(rows.position[first], kind="stable")
        keys = rows.source.take(rows.order[first[series]]).loc[:, SERIES].reset_index(drop=True)
        plan_position = rows.position[first[series]]
    else:
        overall = (rows.source["category"].take(rows.order[first]) == v.OVERALL).to_numpy(bool)
        series = np.full(len(indicators), -1)
        series[rows.position[first[overall]]] = np.flatnonzero(overall)
        keys = pd.DataFrame(
            {"indicator_code": indicators["code"], "dimension": v.OVERALL, "category": v.OVERALL}
        ).reset_index(drop=True)
        plan_position = np.arange(len(indicators))
    latest = latest_row[series]
    evaluated = _evaluate_rows(indicators, rows, latest[latest >= 0], settings, method)
    at = np.full(len(latest), -1)
    at[latest >= 0] = np.arange(len(evaluated))
    # A series' latest row is the current one when it is in the year itself.
    current = at if year is None else np.where(np.append(rows.year, np.nan)[latest] == year, at, -1)
    plan = indicators[["name", *_PLAN_COLUMNS]].rename(columns={column: f"plan_{column}" for column in _OWN_COLUMNS})
    trend = {
        name: np.append(values, np.nan)[series]
        for name, values in _trend(rows, kept, indicators, settings.confidence).items()
    }
    frame = pd.concat(
        [
            keys,
            _take_rows(evaluated.drop(columns=[*SERIES, "unit", *_OWN_COLUMNS]), current),
            _take_rows(evaluated[["fiscal_year", *_OWN_COLUMNS]].rename(columns={"fiscal_year": "latest_year"}), at),
            pd.DataFrame(trend),
            plan.take(plan_position).reset_index(drop=True),
        ],
        axis=1,
    )
    # A series with no value at all still shows the plan's baseline and target.
    for column in _OWN_COLUMNS:
        frame[column] = frame[column].fillna(frame.pop(f"plan_{column}"))
    survey_years = _survey_years(indicators, observations, year)
    count = (frame["respondent"] == v.ADMINISTRATIVE).to_numpy(bool)
    shortfall = (frame["projected_value"] - frame["target_value"]).to_numpy(float)
    projected_margin = np.where(
        count, np.fmax(frame["projected_margin"].to_numpy(float), settings.count_tolerance), frame["projected_margin"]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        projection_p_value = 2 * ndtr(-sampling.critical_z(settings.confidence) * np.abs(shortfall) / projected_margin)
    frame = frame.assign(
        baseline_year=frame["baseline_year"].astype(int),
        year=pd.array(frame["fiscal_year"] if year is None else np.full(len(frame), year), dtype="Int64"),
        survey_year=frame["respondent"].map(survey_years).astype("Int64"),
        reference=frame["reference"].fillna(False).astype(bool),
        status=frame["status"].fillna(v.NO_DATA),
        projected_margin=projected_margin,
        projection_p_value=np.where(count, np.nan, projection_p_value),
        projection_significant=_exceeds(shortfall, projected_margin),
    )
    frame = _control_cell_flags(frame, settings)
    return _judge(frame, year, settings).rename(columns={"indicator_code": "code"}).loc[:, _INDICATOR_COLUMNS]


def _take_rows(frame: pd.DataFrame, index: np.ndarray) -> pd.DataFrame:
    """The frame's rows at positions `index`, a row of missing values where it is -1 (as a left merge leaves them)."""
    return frame.reindex(index).reset_index(drop=True)


def _control_cell_flags(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Benjamini–Hochberg over the breakdown cells of each indicator and year, per kind of test.

    A cell's difference beyond its own interval is still only flagged when the procedure rejects
    it among all the cells tested with it; the overall rows keep their own test. The status is then
    graded again from the corrected gap test, so status and flags agree.
    """
    tested = ((frame["dimension"] != v.OVERALL) & ~frame["reference"]).to_numpy(bool)
    if not tested.any():
        return frame.assign(gap_corrected=False, change_corrected=False, projection_corrected=False)
    # One group per indicator and year, as integers: string keys would cost more than the test itself.
    groups = pd.factorize(frame["indicator_code"])[0] * 10_000 + frame["fiscal_year"].fillna(0).to_numpy(int)
    corrected = {}
    for test in ("gap", "change", "projection"):
        p_value = np.where(tested, frame[f"{test}_p_value"].to_numpy(float), np.nan)
        rejected = sampling.benjamini_hochberg(p_value, groups, settings.breakdowns.false_discovery_rate)
        significant = frame[f"{test}_significant"].astype("boolean")
        suppressed = significant.fillna(False).to_numpy(bool) & ~np.isnan(p_value) & ~rejected
        corrected[f"{test}_significant"] = significant.mask(suppressed, False)
        corrected[f"{test}_corrected"] = suppressed
    status = _apply_rule(
        pd.Categorical(frame["point_status"], categories=list(v.STATUSES), ordered=True),
        corrected["gap_significant"],
        frame["below_baseline"].astype("boolean"),
        frame["reference"].to_numpy(bool),
        settings.status_rule,
    )
    return frame.assign(**corrected, status=pd.Series(status, index=frame.index).fillna(v.NO_DATA))


def _trend(rows: _Rows, kept: np.ndarray, indicators: pd.DataFrame, confidence: float) -> dict[str, np.ndarray]:
    """Each series' least-squares line: slope per year, value projected to the target year, and its margin.

    The margin is the larger of two: the sampling error the projection inherits from the points
    it was fitted to (Σ aᵢ²σᵢ², aᵢ the least-squares weight of point i at the target year), and
    the usual least-squares confidence margin of the line from its residuals (t with n − 2
    degrees of freedom), which is all a count without sampling error has. A projected shortfall
    that either explains is not flagged. Needs two or more years (three for the residual part).

    Fitted to the `kept` rows; one value per series, NaN for a series with no kept row.
    """
    columns = np.full((3, int(rows.starts.sum())), np.nan)
    if not kept.any():
        return dict(zip(_TREND_COLUMNS, columns, strict=True))
    # Kept rows are each series' first years, so every series with any still starts on its first row.
    # Every row when all are kept: a slice, not a copy of each array.
    fitted = slice(None) if kept.all() else np.flatnonzero(kept)
    starts = np.flatnonzero(rows.starts[fitted])
    survey = rows.survey[fitted]
    target_year = indicators["target_year"].to_numpy(float)[rows.position[fitted]]
    # Years counted from the target year, so the projection is the line's value at x = 0.
    x = rows.year[fitted] - target_year
    y = rows.value[fitted]
    share = y / 100
    n = np.where(survey, rows.n_effective[fitted], np.nan)
    margin = np.where(survey, (rows.high[fitted] - rows.low[fitted]) / 2, 0.0)
    variance = np.where(margin == 0, 0.0, share * (1 - share) / n * 100**2)

    def total(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, starts)

    count = np.diff(np.append(starts, len(x)))
    mean_x, mean_y = total(x) / count, total(y) / count
    sxx = total(x * x) - count * mean_x**2
    s0, s1, s2 = total(variance), total(x * variance), total(x * x * variance)
    spread = s1 - mean_x * s0
    spread2 = s2 - 2 * mean_x * s1 + mean_x**2 * s0
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (total(x * y) - count * mean_x * mean_y) / sxx
        weight = -mean_x / sxx
        projected_variance = s0 / count**2 + 2 * weight / count * spread + weight**2 * spread2
    enough = count >= 2
    sampling_margin = sampling.critical_z(confidence) * np.sqrt(projected_variance)
    with np.errstate(invalid="ignore", divide="ignore"):
        residual = np.maximum(total(y * y) - count * mean_y**2 - slope**2 * sxx, 0.0) / (count - 2)
        line_error = np.sqrt(residual * (1 / count + mean_x**2 / sxx))
        # Student's t quantile (what scipy.stats.t.ppf calls), without importing scipy.stats (a second).
        t = stdtrit(np.where(count > 2, count - 2, np.nan), 0.5 + confidence / 2)
    line_margin = np.where(count > 2, t * line_error, np.nan)
    series = (np.cumsum(rows.starts) - 1)[fitted][starts]
    columns[:, series] = [
        np.where(enough, mean_y - slope * mean_x, np.nan),
        np.where(enough, np.fmax(sampling_margin, line_margin), np.nan),
        np.where(enough, slope, np.nan),
    ]
    return dict(zip(_TREND_COLUMNS, columns, strict=True))


def _survey_years(indicators: pd.DataFrame, observations: pd.DataFrame, year: int | None) -> pd.Series:
    """The latest year (up to `year`) in which each kind of survey produced any overall value."""
    overall = observations[observations["dimension"] == v.OVERALL]
    if year is not None:
        overall = overall[overall["fiscal_year"] <= year]
    respondent = indicators.set_index("code")["respondent"]
    kinds = overall["indicator_code"].map(respondent)
    return overall["fiscal_year"].groupby(kinds).max()


def _judge(frame: pd.DataFrame, year: int | None, settings: Settings) -> pd.DataFrame:
    """Flags, the reasons to read aloud, the 誤差の範囲 marker and notes, from the evaluated numbers.

    A status below 順調 always carries the 目標達成ペースを下回る flag and its reason, and no flag is
    raised on a difference its own interval contains (except under the point rule, which says so).
    """
    sign = np.where(frame["higher_is_better"].to_numpy(bool), 1.0, -1.0)
    status = frame["status"].to_numpy(object)
    reference = frame["reference"].to_numpy(bool)
    has_value = frame["value"].notna().to_numpy()
    gap = frame["gap"].to_numpy(float)
    change = frame["change"].to_numpy(float)
    shortfall = frame["projected_value"].to_numpy(float) - frame["target_value"].to_numpy(float)
    # Without n the error is unknown: a gap or drop is still flagged, with a caveat, since it may be real.
    gap_beyond = frame["gap_significant"].fillna(True).to_numpy(bool)
    change_beyond = frame["change_significant"].fillna(True).to_numpy(bool)
    shortfall_beyond = frame["projection_significant"].fillna(True).to_numpy(bool)
    gap_bad = np.isin(status, _BELOW_ON_TRACK)
    gap_short = (gap * sign < 0) & np.isin(status, _GRADED) & ~gap_bad
    change_bad = (change * sign < 0) & ~reference
    # Once the target year has come, the value itself says whether the target was missed.
    short = (
        (shortfall * sign < 0)
        & (status != v.ACHIEVED)
        & ~reference
        & (frame["year"] < frame["target_year"]).fillna(True).to_numpy(bool)
    )
    missing = frame["survey_year"].notna().to_numpy() & ~(frame["latest_year"] >= frame["survey_year"]).fillna(
        False
    ).to_numpy(bool)

    unit = frame["unit"].to_numpy(object)
    previous = frame["previous_year"].fillna(0).to_numpy(float)
    target_year = frame["target_year"].to_numpy(float)
    projected = frame["projected_value"].to_numpy(float)
    paths = (frame["path"].to_numpy(object), frame["year"].fillna(0).to_numpy(float), frame["expected"].to_numpy(float))
    gap_margin = frame["gap_margin"].to_numpy(float)
    change_margin = frame["change_margin"].to_numpy(float)
    projected_margin = frame["projected_margin"].to_numpy(float)
    reasons = {
        v.BEHIND_PATH: _compose(
            gap_bad,
            lambda path, year, expected, gap, margin, unknown, significant, worse, baseline, u: [
                f"{named}を下回る（差 {amount}{evidence}）"
                + (f"。基準値 {level} よりも悪い" if grade == v.WORSENED else "")
                for named, amount, evidence, grade, level in zip(
                    _name_paths(path, year, expected, u),
                    _worded(_amount, gap, u),
                    _gap_evidence(margin, unknown, significant, u),
                    worse.tolist(),
                    _worded(_level, baseline, u),
                    strict=True,
                )
            ],
            *paths,
            gap,
            gap_margin,
            frame["gap_significant"].isna().to_numpy(),
            frame["gap_significant"].fillna(False).to_numpy(bool),
            status,
            frame["baseline_value"].to_numpy(float),
            unit,
        ),
        v.WORSE_THAN_PREVIOUS: _compose(
            change_bad & change_beyond,
            lambda before, change, margin, u: [
                f"前回（{year}）から{'低下' if fall < 0 else '上昇'}（{amount}{beyond}）"
                for year, fall, amount, beyond in zip(
                    _fiscal_years(before), change.tolist(), _worded(_amount, change, u), _beyond(margin, u), strict=True
                )
            ],
            previous,
            change,
            change_margin,
            unit,
        ),
        v.PROJECTED_MISS: _compose(
            short & shortfall_beyond,
            lambda target_year, projected, target, margin, u: [
                f"これまでの傾向では{year}に {level} の見込みで、目標 {goal} に届かない（差 {amount}{beyond}）"
                for year, level, goal, amount, beyond in zip(
                    _fiscal_years(target_year),
                    _worded(_level, projected, u),
                    _worded(_level, target, u),
                    _worded(_amount, projected - target, u),
                    _beyond(margin, u),
                    strict=True,
                )
            ],
            target_year,
            projected,
            frame["target_value"].to_numpy(float),
            projected_margin,
            unit,
        ),
        v.MISSING_LATEST: _compose(
            missing,
            lambda survey, latest: [
                f"最新の調査年度（{year}）の値がない"
                + ("（値が1件もない）" if np.isnan(value) else f"（最新の値は{latest_year}）")
                for year, value, latest_year in zip(
                    _fiscal_years(survey), latest.tolist(), _fiscal_years(np.nan_to_num(latest)), strict=True
                )
            ],
            frame["survey_year"].fillna(0).to_numpy(float),
            frame["latest_year"].to_numpy(float),
        ),
    }
    baseline_only = (frame["year"] <= frame["baseline_year"]).fillna(False).to_numpy(bool)
    ranges = _status_ranges(frame)
    corrected = [frame[f"{test}_corrected"].to_numpy(bool) for test in ("gap", "change", "projection")]
    notes = [
        _compose(
            ~has_value,
            lambda: f"{v.format_fiscal_year(year)}の値がありません" if year is not None else "値が登録されていません",
        ),
        _compose(
            reference,
            lambda n: _per_distinct(
                n,
                lambda count: (
                    f"回答者数 n={int(count):,} が {settings.breakdowns.min_respondents:,.0f} 未満のため{v.REFERENCE_ONLY}です"
                    "（状況の判定もフラグもしません）"
                ),
            ),
            frame["respondents"].to_numpy(float, na_value=np.nan),
        ),
        _compose(
            (status == v.NO_DATA) & has_value & baseline_only & ~reference,
            lambda: "基準年度までの値しかないため、進捗はまだ評価できません",
        ),
        _compose(
            (status == v.NO_DATA) & has_value & ~baseline_only & ~reference,
            lambda: "0以下の値があるため、成長率法では評価できません",
        ),
        _compose(has_value & frame["margin"].isna().to_numpy(), lambda: v.ERROR_UNKNOWN),
        np.where(ranges != "", ranges, None),
        _compose(
            gap_short & ~gap_beyond,
            lambda path, year, expected, gap, margin, fixed, u: [
                f"{named}との差は{word}の範囲（差 {amount}、{word} {distance}"
                + (f" を超えるが、{_CORRECTED}）" if beyond else " 以内）")
                for named, word, amount, distance, beyond in zip(
                    _name_paths(path, year, expected, u),
                    _per_distinct(u, _error_word),
                    _worded(_amount, gap, u),
                    _worded(_distance, margin, u),
                    fixed.tolist(),
                    strict=True,
                )
            ],
            *paths,
            gap,
            gap_margin,
            corrected[0],
            unit,
        ),
        _compose(
            (change != 0) & ~change_beyond & ~reference,
            lambda before, change, margin, fixed, u: [
                f"前回（{year}）からの変化 {amount} は{word}の範囲"
                f"（{word} {plus_minus}{f' を超えるが、{_CORRECTED}' if beyond else ''}）"
                for year, amount, word, plus_minus, beyond in zip(
                    _fiscal_years(before),
                    _worded(_amount, change, u),
                    _per_distinct(u, _error_word),
                    _worded(_plus_minus, margin, u),
                    fixed.tolist(),
                    strict=True,
                )
            ],
            previous,
            change,
            change_margin,
            corrected[1],
            unit,
        ),
        _compose(
            short & ~shortfall_beyond,
            lambda target_year, projected, shortfall, margin, fixed, u: [
                f"傾向による{year}の見込み {level} と目標との差 {amount} は{word}の範囲"
                f"（{word} {plus_minus}{f' を超えるが、{_CORRECTED}' if beyond else ''}）"
                for year, level, amount, word, plus_minus, beyond in zip(
                    _fiscal_years(target_year),
                    _worded(_level, projected, u),
                    _worded(_amount, shortfall, u),
                    _per_distinct(u, _error_word),
                    _worded(_plus_minus, margin, u),
                    fixed.tolist(),
                    strict=True,
                )
            ],
            target_year,
            projected,
            shortfall,
            projected_margin,
            corrected[2],
            unit,
        ),
    ]
    explained = (gap_short & ~gap_beyond) | (change_bad & ~change_beyond) | (short & ~shortfall_beyond)
    worded = np.column_stack(list(reasons.values()))
    said = worded != None  # noqa: E711 (element-wise over an object array)
    noted = np.column_stack(notes)
    return frame.assign(
        flags=_rows_of(np.broadcast_to(np.array(list(reasons), dtype=object), worded.shape), said),
        reasons=_rows_of(worded, said),
        within_error=np.where(explained, v.WITHIN_ERROR, ""),
        status_range=ranges,
        notes=_rows_of(noted, noted != None),  # noqa: E711
    )


def _name_paths(path: np.ndarray, year: np.ndarray, expected: np.ndarray, unit: np.ndarray) -> list[str]:
    """What a gap is measured against, in a reason: the plan's pace, or the city's own 年次目標 for the year."""
    return [
        f"{v.PATH_LABELS[kind]}（{fiscal_year} {level}）"
        if kind in (v.PATH_YEARLY_TARGET, v.PATH_INTERPOLATED)
        else v.PATH_LABELS[v.PATH_PLAN]
        for kind, fiscal_year, level in zip(
            path.tolist(), _fiscal_years(year), _worded(_level, expected, unit), strict=True
        )
    ]


def _status_ranges(frame: pd.DataFrame) -> np.ndarray:
    """「誤差を考えると △ やや遅れ の可能性あり」 where the interval's two ends grade into other bands.

    Worded once per distinct (status, best, worst, unit), which are few, rather than once per row.
    """
    columns = ["status", "status_best", "status_worst", "unit"]
    if frame.empty:
        return np.array([], dtype=object)
    # Integer codes (0 for a missing value) make one key per row: sorting strings grew faster than the rows.
    codes = [pd.factorize(frame[column])[0] + 1 for column in columns]
    key = np.ravel_multi_index(codes, [int(code.max()) + 1 for code in codes])
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    distinct = frame[columns].iloc[first].astype(object).fillna("")
    return np.array([_status_range(*row) for row in distinct.itertuples(index=False)], dtype=object)[inverse]


def _status_range(status: str, best: str, worst: str, unit: str) -> str:
    ranks = {graded: rank for rank, graded in enumerate(_GRADED)}
    if status not in ranks or best not in ranks or worst not in ranks:
        return ""
    others = [other for other in _GRADED[ranks[best] : ranks[worst] + 1] if other != status]
    badges = "、".join(f"{v.STATUS_SYMBOLS[other]} {v.STATUS_LABELS[other]}" for other in others)
    return f"{_error_word(unit)}を考えると {badges} の可能性あり" if others else ""


def _compose(mask: np.ndarray, make: Callable[..., list[str] | str], *columns: np.ndarray) -> np.ndarray:
    """`make(*columns)` over the rows in `mask` at once (each column cut to those rows), None elsewhere."""
    texts = np.full(len(mask), None, dtype=object)
    where = np.flatnonzero(mask)
    if len(where):
        texts[where] = make(*(column[where] for column in columns))
    return texts


def _rows_of(values: np.ndarray, present: np.ndarray) -> list[list]:
    """Each row's values where `present`, in column order: picked at once, then one slice per row."""
    bounds = [0, *np.cumsum(present.sum(axis=1)).tolist()]
    picked = values[present].tolist()
    # So many new lists would set off the cycle collector again and again, each time walking every
    # object of the process; lists of strings cannot form cycles, so it waits until they are made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [picked[start:end] for start, end in itertools.pairwise(bounds)]
    finally:
        if collecting:
            gc.enable()


def _per_distinct(values: np.ndarray, word: Callable[[object], str]) -> list[str]:
    """`word` of each value, called once per distinct value: years, units and counts repeat across rows."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return np.array([word(value) for value in distinct.tolist()], dtype=object)[codes].tolist()


def _fiscal_years(years: np.ndarray) -> list[str]:
    return _per_distinct(years, lambda year: v.format_fiscal_year(int(year)))


def _worded(word: Callable[[float, str], str], numbers: np.ndarray, unit: np.ndarray) -> list[str]:
    """`word(number, unit)` for every row, called once per distinct figure.

    Figures show tenths, so rows share them: the tenths (×10, rounded), the sign and the unit
    decide the text. Float rounding can only disagree with Python's formatting within a hair of
    a half; those numbers, numbers that are not finite and very large ones are worded one by one.
    """
    tenths = np.abs(numbers) * 10
    with np.errstate(invalid="ignore"):
        rounded = np.round(tenths)
        shared = (np.abs(tenths - np.floor(tenths) - 0.5) > 1e-6) & (rounded < 1e7)
        sign = np.sign(numbers) + 1
    unit_codes, units = pd.factorize(unit, use_na_sentinel=False)
    figure = ((rounded * 3 + sign) * 2 + np.signbit(numbers)) * len(units) + unit_codes
    codes, distinct = pd.factorize(np.where(shared, figure, -1 - np.arange(len(numbers))))
    # Any row of a group words it as well as any other.
    representative = np.zeros(len(distinct), dtype=int)
    representative[codes] = np.arange(len(codes))
    words = [
        word(number, u)
        for number, u in zip(numbers[representative].tolist(), unit[representative].tolist(), strict=True)
    ]
    return np.array(words, dtype=object)[codes].tolist()


def _amount(difference: float, unit: str) -> str:
    sign = "+" if difference > 0 else _MINUS if difference < 0 else ""
    return f"{sign}{_figure(abs(difference), unit)}{'pt' if unit == v.PERCENT else unit}"


def _level(value: float, unit: str) -> str:
    return f"{_figure(value, unit)}{unit}"


def _plus_minus(margin: float, unit: str) -> str:
    return f"±{_figure(margin, unit)}{'pt' if unit == v.PERCENT else unit}"


def _figure(number: float, unit: str) -> str:
    """Shares with one decimal; counts whole unless a projection or difference has a fraction,
    so that a projected 149.8団体 does not print as 150団体 while said to fall short of 150."""
    if unit == v.PERCENT:
        return f"{number:.1f}"
    return f"{number:,.1f}".removesuffix(".0")


def _beyond(margin: np.ndarray, unit: np.ndarray) -> list[str]:
    """The error clause of a reason: beyond a known margin (a count's tolerance), a caveat without n."""
    return [
        _NO_N if np.isnan(value) else "" if value == 0 else f"、{word} {plus_minus} を超える"
        for value, word, plus_minus in zip(
            margin.tolist(), _per_distinct(unit, _error_word), _worded(_plus_minus, margin, unit), strict=True
        )
    ]


def _gap_evidence(margin: np.ndarray, unknown: np.ndarray, significant: np.ndarray, unit: np.ndarray) -> list[str]:
    """The error clause of a shortfall: the interval's own distance on the shortfall's side, never a ±."""
    return [
        _NO_N
        if not_known
        else f"、{word}の範囲内ですが、点推定で判定する設定です"
        if not beyond
        else f"、{word} {distance} を超える"
        if value > 0
        else ""
        for value, not_known, beyond, word, distance in zip(
            margin.tolist(),
            unknown.tolist(),
            significant.tolist(),
            _per_distinct(unit, _error_word),
            _worded(_distance, margin, unit),
            strict=True,
        )
    ]


def _error_word(unit: str) -> str:
    """Shares have sampling error; a count (業務統計) has the city's tolerance instead."""
    return "誤差" if unit == v.PERCENT else "許容差"


def _distance(margin: float, unit: str) -> str:
    return f"{_figure(margin, unit)}{'pt' if unit == v.PERCENT else unit}"
