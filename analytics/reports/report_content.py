"""What a report says, gathered once from an evaluation: the slides every format and 発表モード render."""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation
from analytics.chart_data import trace_target_path
from analytics.evaluation_settings import Settings
from analytics.method import METHOD_TITLE, describe_method, work_example
from analytics.plan import Plan
from analytics.plan_admin import describe_revision
from analytics.presentation import (
    describe_definition,
    describe_departments,
    describe_observation,
    describe_status,
    format_value,
    status_badge,
    tabulate_history,
    tabulate_statuses,
    worst_first,
)
from analytics.reports.evaluation_sheet import (
    ActionRecords,
    EvaluationSheet,
    build_evaluation_sheets,
    measure_codes,
    scope_sheets,
)

WHOLE_PLAN = "all"
FLAGGED = "flagged"
RECENT_YEARS = 4
# A 所見 is a short text: at 18pt it fits in four lines under an indicator's reasons on a slide.
COMMENTARY_LIMIT = 160
# Flagged indicators with their reasons, two to a slide: at 18pt on a projector two rows of two or
# three reasons fill the slide (the PowerPoint continues a share that would still not fit).
FLAGGED_PER_SLIDE = 2
_TOKYO = ZoneInfo("Asia/Tokyo")
_STATUS_BY_BADGE = {status_badge(status): status for status in v.STATUSES}


class ScopeError(ValueError):
    """A scope that is neither the whole plan, the flagged indicators nor a policy of the plan."""


@dataclass(frozen=True)
class TitleSlide:
    """Plan name, what the report covers, and when it was made."""

    plan_name: str
    heading: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class SummarySlide:
    """Status counts per 基本方針 (first slide only, no flagged rows), or a share of the flagged
    indicators with their reasons; `flagged_total` counts all of them, whatever this slide shows."""

    heading: str
    counts: pd.DataFrame | None
    flagged: pd.DataFrame
    flagged_total: int

    @property
    def flagged_heading(self) -> str:
        """「要注意の指標（5）」: the number flagged in the whole report, not the rows on this slide."""
        return f"要注意の指標（{self.flagged_total}）" if self.flagged_total else "要注意の指標はありません"


@dataclass(frozen=True)
class GuideSlide:
    """How to read the report: what each status means and what each line of a chart is."""

    heading: str
    rule: str
    statuses: tuple[tuple[str, str], ...]
    chart_keys: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TrendSeries:
    """An indicator's chart as plain columns, for native office charts: one value per year or None."""

    years: tuple[int, ...]
    actual: tuple[float | None, ...]
    path: tuple[float | None, ...]
    baseline: tuple[float | None, ...]
    target: tuple[float | None, ...]
    band_high: tuple[float | None, ...]
    band_low: tuple[float | None, ...]
    trend: tuple[float | None, ...]

    DRAWN_NAMES = (
        "実績値",
        "95%区間",
        "95%区間（下限）",
        "目標達成ペース",
        "傾向と目標年度の見込み",
        "基準値",
        "目標値",
    )

    def drawn_columns(self) -> tuple[tuple[float | None, ...], ...]:
        """Every series a chart draws, in the order of DRAWN_NAMES: also the 95% band and the projection
        the reasons quote, so that a chart shows what its slide says."""
        return self.actual, self.band_high, self.band_low, self.path, self.trend, self.baseline, self.target

    def value_range(self) -> list[float]:
        """Every plotted number, for fitting the value axis to the data."""
        return [x for column in self.drawn_columns() for x in column if x is not None]


@dataclass(frozen=True)
class PolicySlide:
    """One policy: its label in the plan's words (「基本方針1」), roll-up status, counts and its indicators' statuses."""

    label: str
    code: str
    name: str
    status: str
    counts: pd.Series
    table: pd.DataFrame


@dataclass(frozen=True)
class IndicatorSlide:
    """One indicator: chart, where it stands and why, recent years with their margins, and its 所見."""

    indicator: pd.Series
    policy_label: str
    history: pd.DataFrame
    series: TrendSeries
    facts: tuple[str, ...]
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    about: str
    recent: pd.DataFrame
    commentary: str
    commentary_by: str


@dataclass(frozen=True)
class MethodSlide:
    """The appendix: how statuses are decided (the 評価方法 page's text) and one worked example."""

    heading: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    example: str


Slide = TitleSlide | SummarySlide | GuideSlide | PolicySlide | IndicatorSlide | MethodSlide


@dataclass(frozen=True)
class Report:
    """The slides in order, plus the evaluated rows in scope for the spreadsheet's numeric sheets."""

    plan_name: str
    levels: dict[str, str]
    year: int
    method: str
    scope_label: str
    sample: bool
    slides: tuple[Slide, ...]
    indicators: pd.DataFrame
    history: pd.DataFrame
    breakdowns: pd.DataFrame
    evaluation_sheets: tuple[EvaluationSheet, ...] = ()

    def slides_of(self, kind: type) -> list:
        """The slides of one kind, in order (the spreadsheet walks policies and indicators this way)."""
        return [slide for slide in self.slides if isinstance(slide, kind)]


def scope_choices(plan: Plan) -> dict[str, str]:
    """Every scope with its Japanese label: the whole plan, the flagged indicators, each policy, each measure."""
    policies = {code: f"{plan.level(v.POLICY)}{code}のみ" for code in plan.policies["code"]}
    measures = {code: f"{plan.level(v.MEASURE)}{code}のみ" for code in measure_codes(plan)}
    return {WHOLE_PLAN: "計画全体", FLAGGED: "要注意の指標のみ"} | policies | measures


def status_of_badge(text: object) -> str | None:
    """The status a table cell shows (「▲ 遅れ」 or 「○ 順調（誤差を考えると…）」 → its key), so renderers can colour it."""
    return _STATUS_BY_BADGE.get(text.split("（")[0]) if isinstance(text, str) else None


class CommentaryError(ValueError):
    """A 所見 that cannot be saved; the message says, in Japanese, what to change."""


# Bidirectional overrides can make a 所見 read differently from what it says.
_HIDDEN_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_commentary(text: str) -> str:
    """The 所見 as it will be saved (trimmed, line breaks as \\n); refused when longer than
    COMMENTARY_LIMIT or holding a control character, because every report prints it as it is."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(cleaned) > COMMENTARY_LIMIT:
        raise CommentaryError(
            f"所見は {COMMENTARY_LIMIT} 文字以内で書いてください（いまは {len(cleaned)} 文字なので、"
            f"{len(cleaned) - COMMENTARY_LIMIT} 文字減らしてください）。"
        )
    hidden = next(
        (c for c in cleaned if c in _HIDDEN_CONTROLS or (unicodedata.category(c) == "Cc" and c != "\n")), None
    )
    if hidden is not None:
        raise CommentaryError(
            f"所見に使えない制御文字（U+{ord(hidden):04X}）が含まれているため、その文字を消してから保存してください。"
        )
    return cleaned


def save_commentary(engine: Engine, indicator_code: str, fiscal_year: int, text: str, author: str) -> None:
    """Save a 所見 once check_commentary accepts it (blank text withdraws it)."""
    store.write_commentary(engine, indicator_code, fiscal_year, check_commentary(text), author)


def sign_commentary(author: str, written: datetime) -> str:
    """「企画課 田中（令和7年2月3日）」: who wrote a 所見 and on which day, in Japan's time zone."""
    return f"{author}（{v.format_japanese_date(written.astimezone(_TOKYO))}）"


def ink_on(colour: str) -> str:
    """Black or white text, whichever contrasts more with a status fill (WCAG relative luminance).

    Only the blue of 達成 needs white; black reads better on every other Okabe–Ito colour.
    """
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"


def build_report(
    evaluation: PlanEvaluation,
    plan: Plan,
    commentary: pd.DataFrame,
    *,
    scope: str = WHOLE_PLAN,
    sample: bool,
    today: date,
    settings: Settings | None = None,
    actions: ActionRecords | None = None,
) -> Report:
    """Gather a report's slides from the dashboard's own evaluation, so every figure matches it.

    `commentary` is store.read_commentary for the evaluated year; `settings` are the ones the
    evaluation used (the defaults when left out), for the appendix that explains the statuses. Scope FLAGGED keeps the indicators
    with any flag (worst first on the summary), a policy code keeps that 基本方針 alone; the status
    counts always come from the whole plan's evaluation, as on the overview page. With `actions`
    the report also carries the 施策評価シート of the 基本施策 in scope (a 基本施策 code keeps its
    基本方針's indicators and its own sheet).
    """
    choices = scope_choices(plan)
    if scope not in choices:
        raise ScopeError(f"範囲「{scope}」はありません。{'、'.join(choices)} のいずれかを指定してください。")
    indicator_scope, measures = scope_sheets(plan, scope, WHOLE_PLAN)
    indicators = _in_scope(evaluation.indicators, indicator_scope)
    texts = dict(zip(commentary["indicator_code"], commentary["text"], strict=True))
    signed = {
        code: sign_commentary(author, written)
        for code, author, written in zip(
            commentary["indicator_code"], commentary["written_by"], commentary["written_at"], strict=True
        )
    }
    defined = plan.indicators.set_index("code")
    indicators = indicators.assign(
        commentary=[texts.get(code, "") for code in indicators["code"]],
        commentary_by=[signed.get(code, "") for code in indicators["code"]],
        definition=[" ／ ".join(describe_definition(defined.loc[code])) for code in indicators["code"]],
        departments=[describe_departments(defined.loc[code]) for code in indicators["code"]],
    )
    policy_level = plan.level(v.POLICY)
    policies = plan.policies.set_index("code")["name"]
    in_scope = [code for code in policies.index if code in set(indicators["policy_code"])]
    plan_name = plan.title.removesuffix("体系表")  # the stored title names the table, not the plan
    heading = f"{plan.level(v.INDICATOR)}の進捗状況　{v.format_fiscal_year(evaluation.year)}"
    slides: list[Slide] = [_title_slide(plan_name, heading, evaluation, choices[scope], today, describe_revision(plan))]
    slides += _summary_slides(evaluation.summary, indicators, in_scope, policy_level)
    slides.append(_guide_slide(settings or Settings(), evaluation.method))
    for code in in_scope:
        members = indicators[indicators["policy_code"] == code]
        slides.append(_policy_slide(f"{policy_level}{code}", code, policies[code], evaluation.summary, members))
        slides += [
            _indicator_slide(row, f"{policy_level}{code}", evaluation.history_of(row["code"]))
            for _, row in members.iterrows()
        ]
    slides.append(_method_slide(evaluation, settings or Settings()))
    codes = set(indicators["code"])
    return Report(
        plan_name=plan_name,
        levels=dict(plan.levels),
        year=evaluation.year,
        method=evaluation.method,
        scope_label=choices[scope],
        sample=sample,
        slides=tuple(slides),
        indicators=indicators.reset_index(drop=True),
        history=evaluation.history[evaluation.history["indicator_code"].isin(codes)].reset_index(drop=True),
        breakdowns=evaluation.breakdowns[evaluation.breakdowns["code"].isin(codes)].reset_index(drop=True),
        evaluation_sheets=build_evaluation_sheets(plan, evaluation.indicators, actions, evaluation.year, measures)
        if actions is not None
        else (),
    )


def _method_slide(evaluation: PlanEvaluation, settings: Settings) -> MethodSlide:
    code, example = work_example(evaluation, settings)
    sections = tuple(
        (heading, tuple(paragraphs)) for heading, paragraphs in describe_method(settings, evaluation.method)
    )
    return MethodSlide(f"付録　{METHOD_TITLE}", sections, f"例（{code}）: {example}" if code else example)


def _in_scope(evaluated: pd.DataFrame, scope: str) -> pd.DataFrame:
    if scope == WHOLE_PLAN:
        return evaluated
    if scope == FLAGGED:
        return evaluated[evaluated["flags"].map(len) > 0]
    return evaluated[evaluated["policy_code"] == scope]


def _title_slide(
    plan_name: str, heading: str, evaluation: PlanEvaluation, scope_label: str, today: date, revision: str
) -> TitleSlide:
    return TitleSlide(
        plan_name=plan_name,
        heading=heading,
        details=(
            f"対象: {scope_label}",
            f"評価方法: {v.METHOD_LABELS[evaluation.method]}",
            f"計画: {revision}",
            f"{v.format_japanese_date(today)} 作成",
        ),
    )


def _summary_slides(
    summary: pd.DataFrame, indicators: pd.DataFrame, policies: list[str], policy_level: str
) -> list[SummarySlide]:
    flagged = worst_first(indicators[indicators["flags"].map(len) > 0])
    table = pd.DataFrame(
        {
            "状況": [
                describe_status(status, text)
                for status, text in zip(flagged["status"], flagged["status_range"], strict=True)
            ],
            "指標": flagged["code"] + "　" + flagged["name"],
            "理由": flagged["reasons"].map("\n".join),
        }
    ).reset_index(drop=True)
    counts = _count_table(summary, policies, policy_level)
    total = len(table)
    first = SummarySlide("全体の状況", counts, table.iloc[:0], total)
    shares = [
        SummarySlide(
            f"要注意の指標（{total}）{'（続き）' if start else ''}",
            None,
            table.iloc[start : start + FLAGGED_PER_SLIDE],
            total,
        )
        for start in range(0, total, FLAGGED_PER_SLIDE)
    ]
    return [first, *shares]


def _guide_slide(settings: Settings, method: str) -> GuideSlide:
    thresholds = settings.thresholds(method)
    on_track, behind = f"{thresholds.on_track:g}%", f"{thresholds.slightly_behind:g}%"
    measure = "計画どおりの進みに対する実績の進み" if method == v.LINEAR else "必要な成長率に対する実績の成長率"
    evidence = settings.status_rule == v.EVIDENCE
    rule = f"状況は、{measure}（%）で決めます。" + (
        "計画との差が誤差の範囲なら ○ 順調 とし、「誤差の範囲」と注記します。" if evidence else ""
    )
    meanings = {
        v.ACHIEVED: "目標値に届いた",
        v.ON_TRACK: f"{on_track} 以上" + ("、または差が誤差の範囲" if evidence else ""),
        v.SLIGHTLY_BEHIND: f"{behind} 以上 {on_track} 未満",
        v.BEHIND: f"0% 以上 {behind} 未満",
        v.WORSENED: "基準値より悪い",
        v.NO_DATA: "この年度の値がなく、評価できない",
    }
    return GuideSlide(
        heading="評価の見かた",
        rule=rule,
        statuses=tuple((status_badge(status), meanings[status]) for status in v.STATUSES),
        chart_keys=(
            ("実績値", "調査の値（太い線と丸）"),
            ("95%区間", "標本誤差の幅（細い破線の上限と下限）"),
            ("目標達成ペース", "基準値から目標値へ計画どおり進む線"),
            ("傾向と見込み", "実績の傾向（最小二乗法）を目標年度まで延ばした線"),
            ("基準値・目標値", "横線と菱形"),
        ),
    )


def _count_table(summary: pd.DataFrame, policies: list[str], policy_level: str) -> pd.DataFrame:
    rows = summary[(summary["dimension"] == v.OVERALL) & summary["policy_code"].isin([*policies, v.OVERALL])]
    return pd.DataFrame(
        {
            "範囲": [f"{policy_level}{code}" if code else "計画全体" for code in rows["policy_code"]],
            "指標数": rows["total"],
            **{status_badge(status): rows[status] for status in v.STATUSES},
            "まとめ": rows["summary"].map(status_badge),
        }
    ).reset_index(drop=True)


def _policy_slide(label: str, code: str, name: str, summary: pd.DataFrame, members: pd.DataFrame) -> PolicySlide:
    row = summary[(summary["dimension"] == v.OVERALL) & (summary["policy_code"] == code)].iloc[0]
    table = tabulate_statuses(members)[["指標", "指標名", "値", "進捗率", "状況"]]
    return PolicySlide(
        label=label, code=code, name=name, status=row["summary"], counts=row[list(v.STATUSES)], table=table
    )


def _indicator_slide(indicator: pd.Series, policy_label: str, history: pd.DataFrame) -> IndicatorSlide:
    unit = indicator["unit"]
    facts = (
        describe_observation(indicator),
        describe_progress(indicator),
        f"基準値 {format_value(indicator['baseline_value'], unit)}（{v.format_fiscal_year(int(indicator['baseline_year']))}）"
        f" → 目標値 {format_value(indicator['target_value'], unit)}（{v.format_fiscal_year(int(indicator['target_year']))}）"
        f"{'' if indicator['higher_is_better'] else '　低いほど良い'}",
    )
    recent = tabulate_history(history, int(indicator["baseline_year"])).tail(RECENT_YEARS).drop(columns="進捗率")
    if unit != v.PERCENT:
        # A count (業務統計) has neither respondents nor sampling error: the columns would only say so.
        recent = recent.drop(columns=["回答者数", "誤差(95%)"])
    return IndicatorSlide(
        indicator=indicator,
        policy_label=policy_label,
        history=history,
        series=trend_series(history, indicator),
        facts=facts,
        reasons=tuple(indicator["reasons"]),
        # The 誤差の範囲 notes and the other bands the error allows, so the slide says what the dashboard says.
        notes=tuple(indicator["notes"]),
        about=_about(indicator),
        recent=recent.reset_index(drop=True),
        commentary=indicator["commentary"],
        commentary_by=indicator["commentary_by"],
    )


def describe_progress(indicator: pd.Series) -> str:
    """「進捗率 36%（計画どおりなら 90%）」: progress from baseline to target beside the progress the path
    expects by this year, both as shares of the way, so that no two kinds of percentage stand together."""
    actual, expected = indicator["progress_rate"], _expected_progress(indicator)
    if pd.isna(actual):
        return "進捗率 —（この年度の値がないため計算できません）"
    return f"進捗率 {actual:.0f}%" + ("" if pd.isna(expected) else f"（計画どおりなら {expected:.0f}%）")


def _expected_progress(indicator: pd.Series) -> float:
    span = indicator["target_value"] - indicator["baseline_value"]
    return (indicator["expected"] - indicator["baseline_value"]) / span * 100


def _about(indicator: pd.Series) -> str:
    """The definition and 担当課 as one line, under the reasons and notes."""
    department = f"担当課: {indicator['departments']}" if indicator["departments"] else ""
    return " ／ ".join(part for part in (indicator["definition"], department) if part)


def trend_series(history: pd.DataFrame, indicator: pd.Series) -> TrendSeries:
    """The dashboard's trend chart as columns: values, the flat baseline, the path from baseline
    through any 年次目標 to target (absent outside those years) and the target as a single point."""
    baseline_year, target_year = int(indicator["baseline_year"]), int(indicator["target_year"])
    start, end = float(indicator["baseline_value"]), float(indicator["target_value"])
    path_years, path_values = trace_target_path(indicator)
    observed = dict(zip(history["fiscal_year"].astype(int), history["value"].astype(float), strict=True))
    years = tuple(range(min([baseline_year, *observed]), max([target_year, *observed]) + 1))
    band = _band(history) if indicator["unit"] == v.PERCENT else {}
    return TrendSeries(
        years=years,
        actual=tuple(observed.get(year) for year in years),
        path=tuple(
            round(float(np.interp(year, path_years, path_values)), 2) if baseline_year <= year <= target_year else None
            for year in years
        ),
        baseline=tuple(start for _ in years),
        target=tuple(end if year == target_year else None for year in years),
        band_high=tuple(band[year][1] if year in band else None for year in years),
        band_low=tuple(band[year][0] if year in band else None for year in years),
        trend=_trend(indicator, min(observed, default=target_year), years),
    )


def _band(history: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """The 95% interval per year where the margin is known (a count or a year without n has none)."""
    known = history[history["interval_low"].notna() & history["interval_high"].notna()]
    return {
        int(year): (round(float(low), 2), round(float(high), 2))
        for year, low, high in zip(known["fiscal_year"], known["interval_low"], known["interval_high"], strict=True)
    }


def _trend(indicator: pd.Series, first: int, years: tuple[int, ...]) -> tuple[float | None, ...]:
    """The least-squares line from the first observed year to the target year, ending at the projection
    that the reasons and notes quote (as on the dashboard's trend chart)."""
    slope, projected, target_year = (
        indicator["trend_slope"],
        indicator["projected_value"],
        int(indicator["target_year"]),
    )
    if pd.isna(slope) or pd.isna(projected):
        return tuple(None for _ in years)
    return tuple(
        round(float(projected + slope * (year - target_year)), 2) if first <= year <= target_year else None
        for year in years
    )
