"""Japanese display text and tables built from plan and observation frames, for pages and reports."""

import difflib
import html

import pandas as pd

from analytics import vocabulary as v
from analytics.plan import CHANGE_LABELS, DEFINITION_LABELS, Plan


def format_value(value: float, unit: str) -> str:
    """A value with its unit: 「42.0%」 for shares, 「120団体」 (or 「149.8団体」 when fractional) for counts."""
    if pd.isna(value):
        return "—"
    if unit == v.PERCENT:
        return f"{value:.1f}{unit}"
    # Counts are whole numbers, but a projection is not: 149.8 must not read as the target 150.
    return f"{value:,.0f}{unit}" if float(value).is_integer() else f"{value:,.1f}{unit}"


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
    """The measure → direction → action tree under one policy, as a Markdown list in the plan's level names."""
    nodes = plan.nodes[plan.nodes["policy_code"] == policy_code]
    children = nodes.groupby("parent_code", sort=False)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        if parent not in children.groups:
            return
        for _, node in children.get_group(parent).iterrows():
            if node["kind"] == v.ACTION:
                label = f"{node['code'].split('-')[-1]} {node['name']}"  # staff cite action items by ①…
                if department := describe_departments(node):
                    label += f"（担当課: {department}）"
            else:
                label = f"**{plan.level(node['kind'])}** {node['name']}"
            lines.append(f"{'    ' * depth}- {label}")
            walk(node["code"], depth + 1)

    walk(policy_code, 0)
    return "\n".join(lines)


def list_definition(indicator: pd.Series) -> list[tuple[str, str]]:
    """The plan's definition of an indicator as (label, text) pairs; parts the plan leaves out are omitted."""
    return [
        (label, str(indicator[column]))
        for column, label in DEFINITION_LABELS.items()
        if column in indicator.index and pd.notna(indicator[column]) and indicator[column]
    ]


def describe_definition(indicator: pd.Series) -> list[str]:
    """The plan's definition of an indicator as 「調査名: 市民意識調査」 lines."""
    return [f"{label}: {text}" for label, text in list_definition(indicator)]


def describe_departments(indicator: pd.Series) -> str:
    """「協働推進課（関係課: 広報課、地域振興課）」, or "" when the plan names no 担当課."""
    lead, related = (indicator.get(column) for column in ("lead_department", "related_departments"))
    lead = lead if isinstance(lead, str) else ""
    related = f"（関係課: {related}）" if isinstance(related, str) and related else ""
    return f"{lead}{related}" if lead or related else ""


def describe_value(value: float, unit: str, margin: float, respondents: object) -> str:
    """「53.4% ±2.8pt（n=1,202）」; a count has no ± and a survey without n says its error is unknown."""
    if pd.isna(value):
        return "—"
    text = format_value(value, unit)
    if unit != v.PERCENT:
        return text
    if pd.isna(margin):
        return f"{text}（{v.ERROR_UNKNOWN}）"
    return f"{text} ±{margin:.1f}pt（n={int(respondents):,}）"


def status_badge(status: str) -> str:
    """「○ 順調」: symbol and word, so that colour is never the only cue."""
    return f"{v.STATUS_SYMBOLS[status]} {v.STATUS_LABELS[status]}"


def describe_status(status: str, status_range: str = "") -> str:
    """「○ 順調（誤差を考えると △ やや遅れ の可能性あり）」: the badge, and the other bands the error allows."""
    badge = status_badge(status)
    return f"{badge}（{status_range}）" if status_range else badge


def render_status_tiles(counts: pd.Series) -> str:
    """HTML tiles, one per status with its count, in the status colours (for st.html and reports)."""
    tiles = "".join(
        f'<div class="tile" style="border-top:6px solid {v.STATUS_COLOURS[status]}">'
        f'<div class="label">{html.escape(status_badge(status))}</div>'
        f'<div class="count">{int(counts.get(status, 0))}<span>指標</span></div></div>'
        for status in v.STATUSES
    )
    style = (
        "<style>.tiles{display:flex;gap:10px;flex-wrap:wrap}.tile{flex:1 1 110px;background:#f7f7f9;"
        "border-radius:6px;padding:8px 12px}.tile .label{font-size:0.95rem}.tile .count{font-size:2rem;"
        "font-weight:700}.tile .count span{font-size:0.9rem;font-weight:400;margin-left:2px}</style>"
    )
    return f'{style}<div class="tiles">{tiles}</div>'


def tabulate_statuses(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Every indicator's status for the chosen year with its value ± error, 進捗率 and reasons."""
    return pd.DataFrame(
        {
            "指標": evaluated["code"],
            "指標名": evaluated["name"],
            # At its baseline year an indicator has a value but nothing to grade yet: say so, not データなし.
            "状況": [
                "基準年度（評価前）" if year == baseline and pd.notna(value) else described
                for year, baseline, value, described in zip(
                    evaluated["year"],
                    evaluated["baseline_year"],
                    evaluated["value"],
                    _describe_statuses(evaluated),
                    strict=True,
                )
            ],
            "値": _describe_values(evaluated),
            "進捗率": [_percent(rate) for rate in evaluated["progress_rate"]],
            "注意点": ["、".join(reasons) if len(reasons) else "—" for reasons in evaluated["reasons"]],
        }
    ).reset_index(drop=True)


def tabulate_history(history: pd.DataFrame, baseline_year: int) -> pd.DataFrame:
    """One indicator's every year: value, n, error, change and whether it is beyond error, 進捗率, status.

    The baseline year has no pace to grade, so it reads 「基準年度」 rather than a status; a count's
    change is not judged against sampling error, which it does not have.
    """
    unit = history["unit"].iloc[0] if len(history) else v.PERCENT
    return pd.DataFrame(
        {
            "年度": [v.format_fiscal_year(int(year)) for year in history["fiscal_year"]],
            "値": [format_value(value, unit) for value in history["value"]],
            "回答者数": ["—" if pd.isna(n) else f"{int(n):,}" for n in history["respondents"]],
            "誤差(95%)": _margin_texts(history["margin"], unit),
            "前年度からの変化": [_change(c, unit) for c in history["change"]],
            # A count has no sampling error, so there is nothing to judge its change against.
            "変化の判定": [
                "—" if pd.isna(change) or unit != v.PERCENT else ("誤差を超える" if significant else v.WITHIN_ERROR)
                for change, significant in zip(history["change"], history["change_significant"], strict=True)
            ],
            "進捗率": [_percent(rate) for rate in history["progress_rate"]],
            # The reason for each year's status: whether its gap to the path is beyond error.
            "計画線との差": [
                "—" if year <= baseline_year or pd.isna(gap) else _judged_gap(gap, significant, unit)
                for year, gap, significant in zip(
                    history["fiscal_year"], history["gap"], history["gap_significant"], strict=True
                )
            ],
            "状況": [
                "基準年度" if year == baseline_year else status_badge(status)
                for year, status in zip(history["fiscal_year"], history["status"], strict=True)
            ],
        }
    ).reset_index(drop=True)


def order_breakdowns(cells: pd.DataFrame) -> pd.DataFrame:
    """年代 first in age order, then 地域 from the lowest value up, so the group furthest behind leads.

    Ages sort naturally by their text (10代 … 70歳以上); area names have no natural order.
    """
    dimension_rank = cells["dimension"].map({v.AGE: 0, v.AREA: 1}).fillna(2)
    within = cells["value"].where(cells["dimension"] == v.AREA, 0.0)
    return (
        cells.assign(_rank=dimension_rank, _within=within)
        .sort_values(["_rank", "_within", "category"], kind="stable")
        .drop(columns=["_rank", "_within"])
    )


def tabulate_breakdowns(cells: pd.DataFrame) -> pd.DataFrame:
    """Breakdown cells of one indicator and dimension: value ± error, n, status, and what marks them."""
    return pd.DataFrame(
        {
            "区分": cells["category"],
            "値": _describe_values(cells),
            "状況": [
                f"{v.REFERENCE_ONLY}（n が少ないため判定しません）" if reference else text
                for reference, text in zip(cells["reference"], _describe_statuses(cells), strict=True)
            ],
            "遅れの判定": ["、".join(reasons) if len(reasons) else "—" for reasons in cells["reasons"]],
        }
    ).reset_index(drop=True)


def _describe_statuses(frame: pd.DataFrame) -> list[str]:
    return [describe_status(status, text) for status, text in zip(frame["status"], frame["status_range"], strict=True)]


def _describe_values(frame: pd.DataFrame) -> list[str]:
    return [
        describe_value(value, unit, margin, n)
        for value, unit, margin, n in zip(
            frame["value"], frame["unit"], frame["margin"], frame["respondents"], strict=True
        )
    ]


def _margin_texts(margins: pd.Series, unit: str) -> list[str]:
    if unit != v.PERCENT:
        return ["（件数のため誤差なし）"] * len(margins)
    return ["不明（n なし）" if pd.isna(m) else f"±{m:.1f}pt" for m in margins]


def _change(change: float, unit: str) -> str:
    if pd.isna(change):
        return "—"
    suffix = "pt" if unit == v.PERCENT else unit
    return f"{change:+.1f}{suffix}".replace("-", "−")


def _judged_gap(gap: float, significant: object, unit: str) -> str:
    word = "誤差" if unit == v.PERCENT else "許容差"
    if pd.isna(significant):
        return _change(gap, unit)
    return f"{_change(gap, unit)}（{word}{'を超える' if significant else 'の範囲'}）"


def _percent(rate: float) -> str:
    return "—" if pd.isna(rate) else f"{rate:.0f}%"


def describe_observation(row: pd.Series) -> str:
    """「令和6(2024)年度: 53.4% ±2.8pt（n=1,202）」 for an evaluated indicator or cell."""
    if pd.isna(row["value"]):
        return f"{v.format_fiscal_year(int(row['year']))}: 値なし" if pd.notna(row["year"]) else "値なし"
    value = describe_value(row["value"], row["unit"], row["margin"], row["respondents"])
    return f"{v.format_fiscal_year(int(row['year']))}: {value}"


def mark_wording_changes(old: str, new: str) -> tuple[str, str]:
    """HTML of both wordings with the changed characters marked: <del> in the old, <ins> in the new."""
    old_parts, new_parts = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        before, after = html.escape(old[i1:i2]), html.escape(new[j1:j2])
        if tag == "equal":
            old_parts.append(before)
            new_parts.append(after)
            continue
        if before:
            old_parts.append(f"<del>{before}</del>")
        if after:
            new_parts.append(f"<ins>{after}</ins>")
    return "".join(old_parts), "".join(new_parts)


def render_plan_changes(changes: pd.DataFrame, old_label: str, new_label: str, levels: dict[str, str]) -> str:
    """The comparison of two drafts as an HTML table, wording side by side with changes marked."""
    rows = []
    for change in changes.itertuples():
        old = "" if pd.isna(change.old_name) else change.old_name
        new = "" if pd.isna(change.new_name) else change.new_name
        old_html, new_html = mark_wording_changes(old, new)
        rows.append(
            f"<tr><td>{html.escape(levels[change.kind])}</td><td>{html.escape(change.code)}</td>"
            f"<td>{CHANGE_LABELS[change.change]}</td><td>{old_html or '—'}</td><td>{new_html or '—'}</td></tr>"
        )
    style = (
        "<style>.plan-diff{border-collapse:collapse;width:100%}.plan-diff th,.plan-diff td{border:1px solid #ddd;"
        "padding:6px 8px;vertical-align:top;text-align:left}.plan-diff th{background:#f3f3f5}"
        ".plan-diff td:nth-child(-n+3),.plan-diff th:nth-child(-n+3){white-space:nowrap}"
        ".plan-diff del{background:#f6d3c4;text-decoration:line-through}"
        ".plan-diff ins{background:#cfe3f3;text-decoration:underline;font-weight:600}</style>"
    )
    header = f"<tr><th>種類</th><th>コード</th><th>変更</th><th>{html.escape(old_label)}</th><th>{html.escape(new_label)}</th></tr>"
    return f'{style}<table class="plan-diff">{header}{"".join(rows)}</table>'


def worst_first(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Indicators ordered from the worst status to the best, plan order within a status."""
    severity = {status: rank for rank, status in enumerate(reversed(v.STATUSES[:-1]))} | {v.NO_DATA: 0.5}
    return (
        evaluated.assign(_severity=evaluated["status"].astype(str).map(severity))
        .sort_values("_severity", kind="stable")
        .drop(columns="_severity")
    )


def list_indicator_facts(indicator: pd.Series) -> list[tuple[str, str]]:
    """What the plan says about an indicator (definition, source, respondents, method, 担当課), as far as it says it."""
    return [
        (label, str(indicator[field]).strip())
        for field, label in v.INDICATOR_FACTS.items()
        if field in indicator.index and pd.notna(indicator[field]) and str(indicator[field]).strip()
    ]
