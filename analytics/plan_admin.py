"""Plan revisions made by administrators: edit an indicator, restore, compare, and pick the plan in force for a year."""

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.assessment import default_year
from analytics.plan import Plan
from analytics.schemas import IndicatorFrame, NodeFrame, YearlyTargetFrame

YEAR, NUMBER, COUNT, CHOICE, TEXT = "year", "number", "count", "choice", "text"
_TOKYO = ZoneInfo("Asia/Tokyo")


class PlanRevisionError(ValueError):
    """An edit or restore that cannot be saved; the message is Japanese and says what to fix."""


@dataclass(frozen=True)
class PlanField:
    """One editable property of an indicator: its IndicatorFrame column, label and kind of input."""

    column: str
    label: str
    kind: str
    choices: Mapping[object, str] = field(default_factory=dict)
    required: bool = True

    def format(self, value: object) -> str:
        """The value as the revision comparison shows it."""
        if pd.isna(value):
            return "—"
        if self.kind == CHOICE:
            return self.choices.get(value, str(value))
        if self.kind == YEAR:
            return v.format_fiscal_year(int(value))
        if self.kind == COUNT:
            return f"{int(value):,}"
        return f"{value:g}" if self.kind == NUMBER else str(value)


# The form on 計画の管理 and the revision comparison are built from this list: a new indicator
# property (definition, 担当課, 年次目標, baseline n …) is one more line here.
PLAN_FIELDS: tuple[PlanField, ...] = (
    PlanField("baseline_year", "基準年度", YEAR),
    PlanField("baseline_value", "基準値", NUMBER),
    PlanField("baseline_respondents", "基準値の回答者数", COUNT, required=False),
    PlanField("population", "母集団の大きさ（職員数など）", COUNT, required=False),
    PlanField("target_year", "目標年度", YEAR),
    PlanField("target_value", "目標値", NUMBER),
    PlanField("higher_is_better", "方向", CHOICE, {True: "高いほど良い", False: "低いほど良い"}),
    PlanField("unit", "単位", TEXT),
    PlanField("survey_name", "調査名", TEXT, required=False),
    PlanField("survey_question", "設問文", TEXT, required=False),
    PlanField("counted_answers", "集計に含める回答", TEXT, required=False),
    PlanField("survey_subjects", "対象", TEXT, required=False),
    PlanField("survey_timing", "調査時期", TEXT, required=False),
    PlanField("data_source", "出典", TEXT, required=False),
    PlanField("lead_department", "担当課", TEXT, required=False),
    PlanField("related_departments", "関係課", TEXT, required=False),
)
FIRST_YEAR, LAST_YEAR = 1989, 2100


def revise_indicator(plan: Plan, code: str, values: Mapping[str, object]) -> pd.DataFrame:
    """The plan's indicators with `code` changed to `values` (PLAN_FIELDS columns), checked as a plan
    file is. The edited indicator is no longer sample data: an administrator entered its values."""
    indicators = plan.indicators.copy()
    row = indicators.index[indicators["code"] == code]
    if row.empty:
        raise PlanRevisionError(f"指標「{code}」は現行の計画にありません。画面を読み込み直してください。")
    name = f"指標「{code}」"
    for spec in PLAN_FIELDS:
        value = values[spec.column]
        if spec.kind == YEAR and not (isinstance(value, numbers.Integral) and FIRST_YEAR <= value <= LAST_YEAR):
            raise PlanRevisionError(f"{name}の{spec.label}は {FIRST_YEAR}〜{LAST_YEAR} の年度にしてください。")
        if spec.kind == NUMBER and not (isinstance(value, numbers.Real) and math.isfinite(value)):
            raise PlanRevisionError(f"{name}の{spec.label}を数値で入力してください。")
        if spec.kind == COUNT:
            # 0 in the form means "not known".
            if value is None or pd.isna(value) or value == 0:
                value = None
            elif not (isinstance(value, numbers.Integral) and value > 0):
                raise PlanRevisionError(f"{name}の{spec.label}は 1 以上の整数にしてください（不明なら 0 のまま）。")
        if spec.kind == TEXT:
            value = str(value).strip() if value is not None and not pd.isna(value) else ""
            if not value and spec.required:
                raise PlanRevisionError(f"{name}の{spec.label}を入力してください。")
            value = value or None
        if spec.kind == CHOICE and value not in spec.choices:
            raise PlanRevisionError(f"{name}の{spec.label}は {'、'.join(spec.choices.values())} から選んでください。")
        indicators.loc[row, spec.column] = value
    edited = indicators.loc[row[0]]
    if edited["target_year"] <= edited["baseline_year"]:
        raise PlanRevisionError(
            f"{name}の目標年度（{edited['target_year']}）は基準年度（{edited['baseline_year']}）より後にしてください。"
        )
    if edited["target_value"] == edited["baseline_value"]:
        raise PlanRevisionError(
            f"{name}の基準値と目標値が同じ（{edited['target_value']:g}）では進捗を測れません。どちらかを直してください。"
        )
    indicators.loc[row, "sample"] = False
    return IndicatorFrame.validate(indicators)


def revise_yearly_targets(plan: Plan, code: str, targets: pd.DataFrame) -> pd.DataFrame:
    """The plan's 年次目標 with indicator `code`'s replaced by `targets` (年度, 年次目標 rows as the form
    gives them; a row left wholly blank is dropped), so one form adds, changes and removes years."""
    name = f"指標「{code}」の{v.YEARLY_TARGET}"
    rows = targets.rename(columns={"年度": "fiscal_year", v.YEARLY_TARGET: "value"}).dropna(how="all")
    for year, value in zip(rows["fiscal_year"], rows["value"], strict=True):
        if pd.isna(year) or float(year) != int(year):
            raise PlanRevisionError(f"{name}の年度を整数で入力してください（例: 2026）。")
        if pd.isna(value) or not math.isfinite(float(value)):
            raise PlanRevisionError(f"{name}（{int(year)}年度）の値を数値で入力してください。")
    repeated = rows["fiscal_year"][rows["fiscal_year"].duplicated()]
    if not repeated.empty:
        raise PlanRevisionError(f"{name}に{int(repeated.iloc[0])}年度が2つあります。1年度に1つにしてください。")
    others = plan.yearly_targets[plan.yearly_targets["indicator_code"] != code]
    mine = pd.DataFrame(
        {"indicator_code": code, "fiscal_year": rows["fiscal_year"].astype(int), "value": rows["value"].astype(float)}
    )
    combined = pd.concat([others, mine], ignore_index=True).sort_values(["indicator_code", "fiscal_year"])
    return YearlyTargetFrame.validate(combined.reset_index(drop=True))


def revise_action_department(plan: Plan, code: str, department: str) -> pd.DataFrame:
    """The plan's nodes with the 担当課 of 取組 `code` set (blank: none), which decides whose 調査票
    lists it and which editors may report on it."""
    nodes = plan.nodes.copy()
    row = nodes.index[(nodes["kind"] == v.ACTION) & (nodes["code"] == code)]
    if row.empty:
        raise PlanRevisionError(
            f"{plan.level(v.ACTION)}「{code}」は現行の計画にありません。画面を読み込み直してください。"
        )
    nodes.loc[row, "lead_department"] = department.strip() or None
    return NodeFrame.validate(nodes)


def save_revision(
    engine: Engine,
    plan: Plan,
    indicators: pd.DataFrame,
    user: str,
    reason: str,
    now: datetime | None = None,
    *,
    nodes: pd.DataFrame | None = None,
    yearly_targets: pd.DataFrame | None = None,
) -> int:
    """Store an edit of the current plan (indicator values, and 年次目標 and 取組 担当課 where given)
    as a new revision with who, when and why; returns its number."""
    if not reason.strip():
        raise PlanRevisionError("変更の理由を入力してください（改定の履歴に残ります）。")
    revised = replace(
        plan,
        indicators=indicators,
        nodes=plan.nodes if nodes is None else nodes,
        yearly_targets=plan.yearly_targets if yearly_targets is None else yearly_targets,
    )
    _check_yearly_span(revised)
    if compare_plan_values(plan, revised).empty:
        raise PlanRevisionError("変更がありません。値を変えてから保存してください。")
    now = now or datetime.now(UTC)
    return store.add_plan_revision(engine, revised, revised.indicators, _label(now), user, reason.strip(), now)


def restore_revision(
    engine: Engine, plans: list[Plan], revision: int, user: str, reason: str, now: datetime | None = None
) -> int:
    """Bring back an earlier revision as a new one (nothing is deleted); returns the new number."""
    old = next((plan for plan in plans if plan.revision == revision), None)
    if old is None:
        raise PlanRevisionError(f"版 {revision} はありません。画面を読み込み直してください。")
    if revision == plans[-1].revision:
        raise PlanRevisionError(f"{describe_revision(old)}は現行の計画です。戻す必要はありません。")
    now = now or datetime.now(UTC)
    return store.add_plan_revision(engine, old, old.indicators, _label(now), user, reason.strip(), now, revision)


def compare_indicator_values(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Every indicator property (PLAN_FIELDS) that differs between two revisions, in Japanese, one per row."""
    columns = [spec.column for spec in PLAN_FIELDS]
    # A property a revision does not have (an older plan file) reads as missing, and missing equals missing.
    merged = old.reindex(columns=["code", *columns]).merge(
        new.reindex(columns=["code", *columns]), on="code", suffixes=("_old", "_new")
    )
    rows = [
        {"指標": code, "項目": spec.label, "変更前": spec.format(before), "変更後": spec.format(after)}
        for spec in PLAN_FIELDS
        for code, before, after in zip(
            merged["code"], merged[f"{spec.column}_old"], merged[f"{spec.column}_new"], strict=True
        )
        if not (pd.isna(before) and pd.isna(after)) and (pd.isna(before) or pd.isna(after) or before != after)
    ]
    return pd.DataFrame(rows, columns=["指標", "項目", "変更前", "変更後"])


def compare_plan_values(old: Plan, new: Plan) -> pd.DataFrame:
    """compare_indicator_values, then every 年次目標 and 取組 担当課 that differs, in the same four columns."""
    targets = old.yearly_targets.merge(
        new.yearly_targets, on=["indicator_code", "fiscal_year"], how="outer", suffixes=("_old", "_new")
    ).sort_values(["indicator_code", "fiscal_year"])
    target_rows = [
        {
            "指標": code,
            "項目": f"{v.YEARLY_TARGET}（{v.format_fiscal_year(int(year))}）",
            "変更前": "—" if pd.isna(before) else f"{before:g}",
            "変更後": "—" if pd.isna(after) else f"{after:g}",
        }
        for code, year, before, after in zip(
            targets["indicator_code"], targets["fiscal_year"], targets["value_old"], targets["value_new"], strict=True
        )
        if before != after
    ]
    actions = [
        frame[frame["kind"] == v.ACTION].reindex(columns=["code", "lead_department"])
        for frame in (old.nodes, new.nodes)
    ]
    departments = actions[0].merge(actions[1], on="code", suffixes=("_old", "_new"))
    department_rows = [
        {"指標": code, "項目": f"{new.level(v.ACTION)}の担当課", "変更前": before or "—", "変更後": after or "—"}
        for code, before, after in zip(
            departments["code"],
            departments["lead_department_old"].astype(object).where(lambda c: c.notna(), None),
            departments["lead_department_new"].astype(object).where(lambda c: c.notna(), None),
            strict=True,
        )
        if before != after
    ]
    return pd.concat(
        [compare_indicator_values(old.indicators, new.indicators), pd.DataFrame(target_rows + department_rows)],
        ignore_index=True,
    ).reindex(columns=["指標", "項目", "変更前", "変更後"])


def plan_in_force(plans: list[Plan], revisions: pd.DataFrame, fiscal_year: int) -> Plan:
    """The revision that was current at the end of `fiscal_year` (31 March of the next year, Japan time).

    A revision loaded from a plan file has no save date of its own and counts as in force from the
    start; one saved on 計画の管理 counts from when it was saved.
    """
    end = pd.Timestamp(datetime(fiscal_year + 1, 4, 1, tzinfo=_TOKYO))
    in_force = revisions[revisions["saved_by"].isna() | (revisions["loaded_at"] < end)]
    revision = int(in_force["revision"].max()) if not in_force.empty else plans[0].revision
    return next(plan for plan in plans if plan.revision == revision)


def read_plan_for(engine: Engine, year: int | None, *, as_then: bool) -> Plan:
    """The plan to evaluate `year` (None: the default year) against: the current revision, or with
    `as_then` (「当時の計画で評価」) the one in force at the end of that year."""
    plans = store.read_plans(engine)
    if not as_then:
        return plans[-1]
    if year is None:
        year = default_year(plans[-1].indicators, store.read_observations(engine))
    return plans[-1] if year is None else plan_in_force(plans, store.read_plan_revisions(engine), year)


def describe_revision(plan: Plan) -> str:
    """How pages, reports and the command line name the revision an evaluation used."""
    return f"{plan.label}（版 {plan.revision}）"


def tabulate_revisions(revisions: pd.DataFrame) -> pd.DataFrame:
    """The revision history as an administrator reads it, newest first, times in Japan time."""
    newest = revisions.iloc[::-1]
    saved = newest["loaded_at"].dt.tz_convert(_TOKYO).dt.strftime("%Y-%m-%d %H:%M")
    return pd.DataFrame(
        {
            "版": newest["revision"].astype(int),
            "名称": newest["label"],
            "日時": saved,
            "保存者": newest["saved_by"].fillna("（計画ファイル " + newest["source"] + "）"),
            "理由": [
                (reason if pd.notna(reason) else "") + (f"（版 {int(restored)} に戻す）" if pd.notna(restored) else "")
                for reason, restored in zip(newest["reason"], newest["restored_from"], strict=True)
            ],
        }
    ).reset_index(drop=True)


def _check_yearly_span(plan: Plan) -> None:
    """Every 年次目標 must lie strictly between its indicator's baseline and target years, also after
    those years were edited, and beyond the baseline towards the target: progress is measured from
    the baseline, so a path that starts by standing still or going back has no pace to grade."""
    spans = plan.indicators.set_index("code")[["baseline_year", "target_year", "baseline_value", "target_value"]]
    for code, year, value in plan.yearly_targets[["indicator_code", "fiscal_year", "value"]].itertuples(index=False):
        start, end, baseline, target = spans.loc[code]
        if not start < year < end:
            raise PlanRevisionError(
                f"指標「{code}」の{v.YEARLY_TARGET}の年度（{year}）は基準年度（{int(start)}）と目標年度（{int(end)}）の"
                "間にしてください。"
            )
        if (value - baseline) * (target - baseline) <= 0:
            raise PlanRevisionError(
                f"指標「{code}」の{v.YEARLY_TARGET}（{year}年度 {value:g}）は、基準値（{baseline:g}）から"
                f"目標値（{target:g}）の側に進んだ値にしてください。"
            )


def _label(saved_at: datetime) -> str:
    return f"{saved_at.astimezone(_TOKYO):%Y年%-m月%-d日}改定"
