"""From a file to plans: parse every draft, and complete what the file leaves out from the stored plan."""

from pathlib import Path

import pandas as pd

from analytics import vocabulary as v
from analytics.plan import DEFINITION_LABELS, Plan, build_plan, read_plan
from analytics.planfile.parsing import Draft, parse_table, with_inferred
from analytics.planfile.tables import PlanFileError, read_tables

YAML_SUFFIXES = (".yaml", ".yml")
# What a 体系表 often leaves out and an earlier revision of the same indicator (matched by name) knows.
_CARRIED = [
    "respondent",
    "unit",
    "higher_is_better",
    "baseline_year",
    "baseline_value",
    "baseline_respondents",
    "population",
    "target_year",
    "target_value",
    "sample",
    *DEFINITION_LABELS,
    "lead_department",
    "related_departments",
]


def read_drafts(file_name: str, content: bytes) -> list[Draft | Plan]:
    """Every draft in a file, in file order: a 体系表 gives Drafts, an exported YAML a complete Plan."""
    if Path(file_name).suffix.lower() in YAML_SUFFIXES:
        return [read_plan(file_name, content)]
    return [parse_table(table) for table in read_tables(file_name, content)]


def complete_drafts(drafts: list[Draft | Plan], stored: list[Plan]) -> list[Plan]:
    """Plans ready to store: values a draft leaves out come from the newest earlier revision
    (stored, or earlier in the same import) with an indicator of the same name.

    A value found nowhere is refused naming the indicator's cell, never invented.
    """
    known = _by_name(stored)
    plans = []
    for draft in drafts:
        plan = draft if isinstance(draft, Plan) else _complete(draft, known)
        known |= _by_name([plan])
        plans.append(plan)
    return plans


def _by_name(plans: list[Plan]) -> dict[str, dict]:
    return {row["name"]: row for plan in plans for row in plan.indicators.to_dict("records")}


def _complete(draft: Draft, known: dict[str, dict]) -> Plan:
    rows = []
    for row in draft.indicators.to_dict("records"):
        given_values = pd.notna(row["baseline_value"]) and pd.notna(row["target_value"])
        earlier = known.get(row["name"], {})
        for column in _CARRIED:
            if _missing(row.get(column)) or (column == "sample" and not given_values):
                row[column] = earlier.get(column)
        row = with_inferred(row)
        if _missing(row["baseline_value"]) or _missing(row["target_value"]):
            raise PlanFileError(
                f"{draft.cells[row['code']]}: {draft.levels[v.INDICATOR]}「{row['name']}」の基準値・目標値が"
                "ファイルにも登録済みの計画にもありません。指標の右に「基準値(R2)」「目標値(R12)」の列を加えてください。"
            )
        if _missing(row["unit"]):
            raise PlanFileError(
                f"{draft.cells[row['code']]}: {draft.levels[v.INDICATOR]}「{row['name']}」の単位が分かりません。"
                "指標の右に「単位」の列を加えてください。"
            )
        rows.append(row)
    return build_plan(
        title=draft.title,
        label=draft.label,
        revision=0,
        source=draft.file_name,
        levels=draft.levels,
        nodes=draft.nodes,
        indicators=pd.DataFrame(rows, columns=[*draft.indicators.columns, "baseline_respondents", "population"]),
        yearly_targets=draft.yearly_targets,
    )


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)
