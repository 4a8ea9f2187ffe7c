"""Write a plan revision back out, as a 体系表 workbook or a YAML plan file, so that it re-imports unchanged."""

import os
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from analytics import vocabulary as v
from analytics.plan import DEFINITION_COLUMNS, DEFINITION_LABELS, DEPARTMENT_SEPARATOR, Plan
from analytics.planfile.parsing import (
    BASELINE,
    BASELINE_YEAR,
    DIRECTION,
    LEAD,
    RELATED,
    RESPONDENT,
    SAMPLE,
    SAMPLE_MARK,
    TARGET,
    TARGET_YEAR,
    UNIT,
    YEARLY,
)
from analytics.planfile.tables import HIERARCHY

_FORMULA_STARTS = ("=", "+", "-", "@")


def export_plan(plan: Plan, format_name: str, path: Path) -> None:
    """Write `plan` to `path` through a temporary file, so a failed write never leaves half a file."""
    content = _workbook_bytes(plan) if format_name == "xlsx" else _yaml_text(plan).encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _yaml_text(plan: Plan) -> str:
    nodes = plan.nodes
    indicators = plan.indicators
    yearly = plan.yearly_targets

    def children(kind: str, parent: str) -> list[dict]:
        rows = nodes[(nodes["kind"] == kind) & (nodes["parent_code"] == parent)]
        return [row for _, row in rows.iterrows()]

    def indicator(row: pd.Series) -> dict:
        mine = yearly[yearly["indicator_code"] == row["code"]]
        definition = {key: row[column] for key, column in DEFINITION_COLUMNS.items() if _text(row.get(column))}
        return {
            "code": row["code"],
            "name": row["name"],
            "respondent": row["respondent"],
            "unit": row["unit"],
            "higher_is_better": bool(row["higher_is_better"]),
            "baseline": {
                "fiscal_year": int(row["baseline_year"]),
                "value": float(row["baseline_value"]),
                **_count("respondents", row.get("baseline_respondents")),
            },
            **_count("population", row.get("population")),
            "target": {"fiscal_year": int(row["target_year"]), "value": float(row["target_value"])},
            "yearly_targets": [
                {"fiscal_year": int(year), "value": float(value)}
                for year, value in zip(mine["fiscal_year"], mine["value"], strict=True)
            ],
            "definition": definition,
            "departments": _departments(row),
            "sample": bool(row["sample"]),
        }

    document = {
        "title": plan.title,
        "label": plan.label,
        "revision": plan.revision,
        "levels": dict(plan.levels),
        "policies": [
            {
                "code": policy["code"],
                "name": policy["name"],
                "indicators": [
                    indicator(row) for _, row in indicators[indicators["policy_code"] == policy["code"]].iterrows()
                ],
                "measures": [
                    {
                        "code": measure["code"],
                        "name": measure["name"],
                        "directions": [
                            {
                                "code": direction["code"],
                                "name": direction["name"],
                                "actions": [
                                    {"code": a["code"], "name": a["name"], "departments": _departments(a)}
                                    for a in children(v.ACTION, direction["code"])
                                ],
                            }
                            for direction in children(v.DIRECTION, measure["code"])
                        ],
                    }
                    for measure in children(v.MEASURE, policy["code"])
                ],
            }
            for _, policy in plan.policies.iterrows()
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=200)


def _departments(row: pd.Series) -> dict:
    related = _text(row.get("related_departments"))
    return {
        "lead": _text(row.get("lead_department")) or None,
        "related": related.split(DEPARTMENT_SEPARATOR) if related else [],
    }


def _count(key: str, value: object) -> dict:
    """An optional whole number (a baseline's n, a population) as YAML writes it, or nothing."""
    return {} if value is None or pd.isna(value) else {key: int(value)}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _workbook_bytes(plan: Plan) -> bytes:
    """One sheet: a title row, a header row, one row per deepest item, each indicator beside its policy."""
    years = sorted(set(plan.yearly_targets["fiscal_year"]))
    header = [
        *(plan.level(kind) for kind in HIERARCHY),
        LEAD,
        RELATED,
        plan.level(v.INDICATOR),
        RESPONDENT,
        UNIT,
        DIRECTION,
        BASELINE_YEAR,
        BASELINE,
        TARGET_YEAR,
        TARGET,
        *(f"{YEARLY}({year})" for year in years),
        *DEFINITION_LABELS.values(),
        LEAD,
        RELATED,
        SAMPLE,
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "体系表"
    _append(sheet, [f"{plan.title}（{plan.label}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    _append(sheet, header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in _rows(plan, years):
        _append(sheet, row)
    for column, width in zip("ABCDEFG", (40, 30, 30, 40, 14, 14, 50), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    with tempfile.SpooledTemporaryFile() as buffer:
        workbook.save(buffer)
        buffer.seek(0)
        return buffer.read()


def _rows(plan: Plan, years: list[int]) -> list[list]:
    """The tree as rows: each item starts a row unless the row above has room at its depth."""
    blocks: dict[str, list[list]] = {}
    for node in plan.nodes.itertuples():
        depth = HIERARCHY.index(node.kind)
        rows = blocks.setdefault(node.policy_code, [])
        if not rows or any(rows[-1][d] != "" for d in range(depth, len(HIERARCHY))):
            rows.append([""] * (len(HIERARCHY) + 2))
        rows[-1][depth] = node.name
        if node.kind == v.ACTION:
            rows[-1][len(HIERARCHY)] = _text(node.lead_department)
            rows[-1][len(HIERARCHY) + 1] = _text(node.related_departments)
    yearly = plan.yearly_targets.set_index(["indicator_code", "fiscal_year"])["value"]
    out = []
    for policy in plan.policies["code"]:
        rows = blocks[policy]
        indicators = plan.indicators[plan.indicators["policy_code"] == policy].to_dict("records")
        rows += [[""] * (len(HIERARCHY) + 2) for _ in range(len(indicators) - len(rows))]
        for index, row in enumerate(rows):
            out.append(row + (_indicator_cells(indicators[index], years, yearly) if index < len(indicators) else []))
    return out


def _indicator_cells(row: dict, years: list[int], yearly: pd.Series) -> list:
    return [
        row["name"],
        row["respondent"],
        row["unit"],
        "増加" if row["higher_is_better"] else "減少",
        int(row["baseline_year"]),
        float(row["baseline_value"]),
        int(row["target_year"]),
        float(row["target_value"]),
        *(float(yearly[row["code"], year]) if (row["code"], year) in yearly.index else "" for year in years),
        *(_text(row.get(column)) for column in DEFINITION_LABELS),
        _text(row.get("lead_department")),
        _text(row.get("related_departments")),
        SAMPLE_MARK if row["sample"] else "",
    ]


def _append(sheet: object, values: list) -> None:
    """Append a row; text that a spreadsheet would read as a formula is stored as plain text."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_STARTS):
            cell.data_type = "s"
