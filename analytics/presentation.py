"""Japanese display text and tables built from plan and observation frames, for pages and reports."""

import pandas as pd

from analytics import vocabulary as v
from analytics.plan import Plan


def format_value(value: float, unit: str) -> str:
    """A value with its unit: 「42.0%」 for shares, 「120団体」 for counts."""
    if pd.isna(value):
        return "—"
    return f"{value:.1f}{unit}" if unit == v.PERCENT else f"{value:,.0f}{unit}"


def tabulate_indicators(plan: Plan, policy_code: str | None = None) -> pd.DataFrame:
    """The indicators of a plan (or of one policy) as a Japanese table: who answers, baseline, target.

    The unit is in the values; direction is only spelt out for the rare lower-is-better indicator.
    """
    indicators = plan.indicators
    if policy_code is not None:
        indicators = indicators[indicators["policy_code"] == policy_code]
    lower = indicators["higher_is_better"].map({True: "", False: "（低いほど良い）"})
    return pd.DataFrame(
        {
            "指標": indicators["code"],
            "指標名": indicators["name"],
            "回答者": indicators["respondent"],
            "基準値": _point(indicators, "baseline"),
            "目標値": [f"{point}{note}" for point, note in zip(_point(indicators, "target"), lower, strict=True)],
        }
    ).reset_index(drop=True)


def _point(indicators: pd.DataFrame, which: str) -> list[str]:
    return [
        f"{format_value(value, unit)}（{v.format_fiscal_year(year)}）"
        for value, unit, year in zip(
            indicators[f"{which}_value"], indicators["unit"], indicators[f"{which}_year"], strict=True
        )
    ]


def outline_policy(plan: Plan, policy_code: str) -> str:
    """The 基本施策 → 施策の方向 → 取組項目 tree under one policy, as a Markdown list."""
    nodes = plan.nodes[plan.nodes["policy_code"] == policy_code]
    children = nodes.groupby("parent_code", sort=False)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        if parent not in children.groups:
            return
        for _, node in children.get_group(parent).iterrows():
            if node["kind"] == v.ACTION:
                label = f"{node['code'].split('-')[-1]} {node['name']}"  # staff cite action items by ①…
            else:
                label = f"**{v.KIND_LABELS[node['kind']]}** {node['name']}"
            lines.append(f"{'    ' * depth}- {label}")
            walk(node["code"], depth + 1)

    walk(policy_code, 0)
    return "\n".join(lines)


def tabulate_latest_values(indicators: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's latest overall value with its fiscal year and n; indicators never measured show —."""
    overall = observations[observations["dimension"] == v.OVERALL]
    latest = overall.sort_values("fiscal_year").groupby("indicator_code").tail(1)
    merged = indicators.merge(latest, left_on="code", right_on="indicator_code", how="left")
    return pd.DataFrame(
        {
            "指標": merged["code"],
            "指標名": merged["name"],
            "最新年度": [v.format_fiscal_year(int(year)) if pd.notna(year) else "—" for year in merged["fiscal_year"]],
            "値": [format_value(value, unit) for value, unit in zip(merged["value"], merged["unit"], strict=True)],
            "回答者数": [
                _format_respondents(n, who) for n, who in zip(merged["respondents"], merged["respondent"], strict=True)
            ],
        }
    )


def _format_respondents(n: object, respondent: str) -> str:
    if respondent == v.ADMINISTRATIVE:
        return "（業務統計）"
    return "不明" if pd.isna(n) else f"{int(n):,}人"
