"""The 施策評価シート of one 基本施策 and year: indicators, 取組, both evaluations and 担当課, for every format."""

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from analytics import store
from analytics import vocabulary as v
from analytics.actions.overview import grade_measures, locate_actions, tabulate_actions
from analytics.actions.settings import ActionSettings
from analytics.plan import Plan
from analytics.presentation import format_value, tabulate_statuses

NO_SECONDARY = "二次評価はまだありません"
SAME = "一次評価と同じ"


@dataclass(frozen=True)
class ActionRecords:
    """What the sheets need besides the indicators: every 取組 report, the year's 二次評価 and the scale."""

    reports: pd.DataFrame
    secondary: pd.DataFrame
    settings: ActionSettings


@dataclass(frozen=True)
class EvaluationSheet:
    """One 基本施策's sheet in the plan's own words; tables are strings, ready for any renderer."""

    label: str
    code: str
    name: str
    policy_label: str
    year: int
    departments: str
    indicators: pd.DataFrame
    actions: pd.DataFrame
    primary: str
    primary_reason: str
    secondary: str
    secondary_comment: str
    difference: str

    def tabulate_evaluations(self) -> pd.DataFrame:
        """Both evaluations and whether they differ, as one table: the same rows in every format."""
        mark = "—" if self.difference == NO_SECONDARY else "なし" if self.difference == SAME else "あり"
        return pd.DataFrame(
            {
                "評価": ["一次評価（提案）", "二次評価", "一次・二次の差"],
                "評価結果": [self.primary, self.secondary, mark],
                "理由・コメント": [self.primary_reason, self.secondary_comment, self.difference],
            }
        )

    @property
    def title(self) -> str:
        """「令和6(2024)年度 施策評価シート　基本施策1.1 …」: what every format puts on top."""
        return f"{v.format_fiscal_year(self.year)} 施策評価シート　{self.label}　{self.name}"


def read_action_records(engine: Engine, fiscal_year: int, settings: ActionSettings) -> ActionRecords:
    """The stored 取組 reports and the year's 二次評価, read once for every sheet of a report."""
    return ActionRecords(
        store.read_action_reports(engine), store.read_secondary_evaluations(engine, fiscal_year), settings
    )


def measure_codes(plan: Plan) -> list[str]:
    """Every 基本施策 code of the plan, in plan order (what `export --scope` also accepts)."""
    return plan.nodes.loc[plan.nodes["kind"] == v.MEASURE, "code"].tolist()


def scope_sheets(plan: Plan, scope: str, whole_plan: str) -> tuple[str, list[str]]:
    """A report scope as (the scope its indicators come from, the 基本施策 whose sheets it carries):
    a 基本施策 keeps its 基本方針's indicators and its own sheet, a 基本方針 all its sheets, the whole
    plan every sheet, any other scope (the flagged indicators) none."""
    measures = plan.nodes[plan.nodes["kind"] == v.MEASURE]
    if scope in set(measures["code"]):
        return measures.set_index("code").loc[scope, "policy_code"], [scope]
    if scope == whole_plan:
        return scope, measures["code"].tolist()
    return scope, measures.loc[measures["policy_code"] == scope, "code"].tolist()


def build_evaluation_sheets(
    plan: Plan,
    indicators: pd.DataFrame,
    records: ActionRecords,
    fiscal_year: int,
    measures: list[str] | None = None,
) -> tuple[EvaluationSheet, ...]:
    """The sheets of the given 基本施策 (all when None), from the same grading as the 施策評価 page.

    `indicators` are the evaluated indicators of the year (with policy_code); a 基本施策 shows its 基本方針's indicators,
    because the plan attaches indicators to the 基本方針.
    """
    located = locate_actions(plan)
    chosen = set(measures) if measures is not None else set(measure_codes(plan))
    sheets = []
    for policy in plan.policies["code"]:
        policy_codes = located.loc[located["policy_code"] == policy, "measure_code"]
        if not chosen.intersection(policy_codes):
            continue
        actions = tabulate_actions(plan, records.reports, fiscal_year, policy)
        grades = grade_measures(
            plan, records.reports, indicators, records.secondary, fiscal_year, policy, records.settings
        )
        table = _tabulate_indicators(indicators[indicators["policy_code"] == policy])
        for grade in grades.to_dict("records"):
            if grade["コード"] not in chosen:
                continue
            codes = located.loc[located["measure_code"] == grade["コード"], "code"]
            rows = actions[actions["コード"].isin(codes)]
            sheets.append(_sheet(plan, policy, grade, rows, table, fiscal_year))
    return tuple(sheets)


def _sheet(
    plan: Plan, policy: str, grade: dict, actions: pd.DataFrame, indicators: pd.DataFrame, fiscal_year: int
) -> EvaluationSheet:
    secondary = grade["二次評価"] if grade["二次評価"] != "—" else ""
    if not secondary:
        difference = NO_SECONDARY
    elif grade["差"]:
        difference = f"一次評価（{grade['一次評価（提案）']}）と異なる"
    else:
        difference = SAME
    departments = "、".join(dict.fromkeys(actions["担当課"]))
    return EvaluationSheet(
        label=f"{plan.level(v.MEASURE)}{grade['コード']}",
        code=grade["コード"],
        name=grade[plan.level(v.MEASURE)],
        policy_label=f"{plan.level(v.POLICY)}{policy}",
        year=fiscal_year,
        departments=departments,
        indicators=indicators,
        actions=_tabulate_actions(actions, plan.level(v.ACTION)),
        primary=grade["一次評価（提案）"],
        primary_reason=grade["理由"],
        secondary=secondary or "—",
        secondary_comment=grade["二次評価のコメント"] or "",
        difference=difference,
    )


def _tabulate_indicators(evaluated: pd.DataFrame) -> pd.DataFrame:
    statuses = tabulate_statuses(evaluated)
    targets = [
        f"{format_value(value, unit)}（{v.format_fiscal_year(int(year))}）"
        for value, unit, year in zip(
            evaluated["target_value"], evaluated["unit"], evaluated["target_year"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "指標": statuses["指標"],
            "指標名": statuses["指標名"],
            "値": statuses["値"],
            "目標値": targets,
            "状況": statuses["状況"],
            "理由": statuses["注意点"],
        }
    )


def _tabulate_actions(actions: pd.DataFrame, action_level: str) -> pd.DataFrame:
    """実績 carries its numbers (開催回数, 参加者数) in words, so that one column says what was done."""
    results = []
    for text, sessions, participants in zip(actions["実績"], actions["開催回数"], actions["参加者数"], strict=True):
        numbers = [
            f"{label} {int(count):,}{unit}"
            for label, count, unit in (("開催", sessions, "回"), ("参加", participants, "人"))
            if pd.notna(count)
        ]
        results.append(f"{text}（{'、'.join(numbers)}）" if numbers else text)
    return pd.DataFrame(
        {
            "コード": actions["コード"],
            action_level: actions[action_level],
            "担当課": actions["担当課"],
            "実施状況": actions["実施状況"],
            "実績": results,
            "課題": actions["課題"],
            "今後の方向性": actions["今後の方向性"],
        }
    ).reset_index(drop=True)
