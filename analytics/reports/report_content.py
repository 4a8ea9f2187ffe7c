"""What a report says, gathered once from an evaluation: the slides every format and 発表モード render."""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import PlanEvaluation
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
# The summary slide has room for the status counts and three flagged indicators with their reasons;
# the rest continue five to a slide, so that the text stays large enough to read on a projector.
FLAGGED_ON_SUMMARY = 3
# A 所見 is a short text: the PowerPoint panel beside the year table holds this many characters.
COMMENTARY_LIMIT = 160
FLAGGED_PER_SLIDE = 5
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
    """Status counts per 基本方針 (first slide only) and the flagged indicators with their reasons."""

    heading: str
    counts: pd.DataFrame | None
    flagged: pd.DataFrame


@dataclass(frozen=True)
class TrendSeries:
    """An indicator's chart as plain columns, for native office charts: one value per year or None."""

    years: tuple[int, ...]
    actual: tuple[float | None, ...]
    path: tuple[float | None, ...]
    baseline: tuple[float | None, ...]
    target: tuple[float | None, ...]

    NAMES = ("実績値", "目標達成ペース", "基準値", "目標値")

    def columns(self) -> tuple[tuple[float | None, ...], ...]:
        """The four series in the order of NAMES."""
        return self.actual, self.path, self.baseline, self.target


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
    recent: pd.DataFrame
    commentary: str
    commentary_by: str


@dataclass(frozen=True)
class MethodSlide:
    """The appendix: how statuses are decided (the 評価方法 page's text) and one worked example."""

    heading: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    example: str


Slide = TitleSlide | SummarySlide | PolicySlide | IndicatorSlide | MethodSlide


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
    """「企画課 田中（2025年2月3日）」: who wrote a 所見 and on which day, in Japan's time zone."""
    return f"{author}（{written.astimezone(_TOKYO):%Y年%-m月%-d日}）"


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
            f"{today.year}年{today.month}月{today.day}日 作成",
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
    first = SummarySlide("全体の状況と要注意の指標", counts, table.iloc[:FLAGGED_ON_SUMMARY])
    rest = range(FLAGGED_ON_SUMMARY, len(table), FLAGGED_PER_SLIDE)
    return [first, *(SummarySlide("要注意の指標（続き）", None, table.iloc[i : i + FLAGGED_PER_SLIDE]) for i in rest)]


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
    progress = "—" if pd.isna(indicator["progress_rate"]) else f"{indicator['progress_rate']:.0f}%"
    expected = (
        "" if pd.isna(indicator["expected"]) else f"（目標達成ペース {format_value(indicator['expected'], unit)}）"
    )
    facts = (
        describe_observation(indicator),
        f"進捗率 {progress}{expected}",
        f"基準値 {format_value(indicator['baseline_value'], unit)}（{v.format_fiscal_year(int(indicator['baseline_year']))}）"
        f" → 目標値 {format_value(indicator['target_value'], unit)}（{v.format_fiscal_year(int(indicator['target_year']))}）"
        f"{'' if indicator['higher_is_better'] else '　低いほど良い'}",
        *_about(indicator),
        # The other bands the error allows, so that the slide says what the dashboard says.
        *(
            [f"状況: {describe_status(indicator['status'], indicator['status_range'])}"]
            if indicator["status_range"]
            else []
        ),
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
        recent=recent.reset_index(drop=True),
        commentary=indicator["commentary"],
        commentary_by=indicator["commentary_by"],
    )


def _about(indicator: pd.Series) -> list[str]:
    """The definition and 担当課 as one line, so a slide's facts box keeps its room for the reasons."""
    department = f"担当課: {indicator['departments']}" if indicator["departments"] else ""
    line = " ／ ".join(part for part in (indicator["definition"], department) if part)
    return [line] if line else []


def trend_series(history: pd.DataFrame, indicator: pd.Series) -> TrendSeries:
    """The dashboard's trend chart as columns: values, the flat baseline, the straight path from
    baseline to target (absent outside those years) and the target as a single point."""
    baseline_year, target_year = int(indicator["baseline_year"]), int(indicator["target_year"])
    start, end = float(indicator["baseline_value"]), float(indicator["target_value"])
    observed = dict(zip(history["fiscal_year"].astype(int), history["value"].astype(float), strict=True))
    years = tuple(range(min([baseline_year, *observed]), max([target_year, *observed]) + 1))
    return TrendSeries(
        years=years,
        actual=tuple(observed.get(year) for year in years),
        path=tuple(
            round(start + (end - start) * (year - baseline_year) / (target_year - baseline_year), 2)
            if baseline_year <= year <= target_year
            else None
            for year in years
        ),
        baseline=tuple(start for _ in years),
        target=tuple(end if year == target_year else None for year in years),
    )
