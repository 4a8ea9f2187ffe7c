"""What `status` prints: each indicator's status, flags and reasons as a table, CSV or JSON."""

import json
import unicodedata

import pandas as pd

from analytics import vocabulary as v
from analytics.evaluation import summarise_statuses
from analytics.plan import Plan
from analytics.presentation import describe_status, format_value
from analytics.spreadsheets import protect_csv_text

HEADERS = {
    "code": "指標",
    "name": "指標名",
    "policy_code": "基本方針",
    "year": "年度",
    "value": "実績",
    "respondents": "回答者数",
    "margin": "誤差",
    "baseline_value": "基準値",
    "target_value": "目標値",
    "progress_rate": "進捗率",
    "expected": "期待値",
    "status": "状況",
    "status_range": "誤差を考えた状況",
    "flags": "フラグ",
    "reasons": "理由",
    "notes": "注記",
}
_NAME_WIDTH = 24
_ROUNDING = {"value": 2, "margin": 2, "baseline_value": 2, "target_value": 2, "progress_rate": 1, "expected": 2}


def to_csv(evaluated: pd.DataFrame, levels: dict[str, str]) -> str:
    """One row per indicator with Japanese headers (the plan's own level name) and status words;
    lists joined with 「／」; text that a spreadsheet would run as a formula is quoted."""
    return protect_csv_text(_plain(evaluated).rename(columns=_headers(levels))).to_csv(index=False)


def to_json(evaluated: pd.DataFrame) -> str:
    """A JSON array, one object per indicator, English keys and Japanese status words and texts."""
    records = _plain(evaluated, join_lists=False).astype(object)
    records = records.where(records.notna(), None).to_dict("records")
    return json.dumps(records, ensure_ascii=False, indent=2)


def to_table(evaluated: pd.DataFrame, plan: Plan) -> str:
    """A terminal table, one line per indicator with its reasons (⚑) and notes (・) beneath it,
    then the roll-up per policy, all in the plan's own level names."""
    cells = pd.DataFrame(
        {
            "code": evaluated["code"],
            "name": evaluated["name"].map(_shorten),
            "policy_code": evaluated["policy_code"],
            "year": evaluated["year"].map(lambda year: "—" if pd.isna(year) else v.format_fiscal_year(int(year))),
            "value": _values(evaluated, "value"),
            "respondents": evaluated["respondents"].map(lambda n: "—" if pd.isna(n) else f"{n:,}"),
            "margin": [_margin(m, x) for m, x in zip(evaluated["margin"], evaluated["value"], strict=True)],
            "baseline_value": _values(evaluated, "baseline_value"),
            "target_value": _values(evaluated, "target_value"),
            "progress_rate": evaluated["progress_rate"].map(lambda rate: "—" if pd.isna(rate) else f"{rate:.1f}%"),
            "expected": _values(evaluated, "expected"),
            "status": [
                describe_status(status, text)
                for status, text in zip(evaluated["status"], evaluated["status_range"], strict=True)
            ],
        }
    )
    lines = _aligned(cells.rename(columns=_headers(plan.levels)))
    body = [lines[0]]
    for line, reasons, notes in zip(lines[1:], evaluated["reasons"], evaluated["notes"], strict=True):
        body += [line, *(f"    ⚑ {reason}" for reason in reasons), *(f"    ・{note}" for note in notes)]
    policy = plan.level(v.POLICY)
    return "\n".join([*body, "", f"{policy}別のまとめ", *_aligned(_roll_up(evaluated, plan.policies, policy))])


def _plain(evaluated: pd.DataFrame, join_lists: bool = True) -> pd.DataFrame:
    plain = evaluated.loc[:, list(HEADERS)].round(_ROUNDING)
    joined = (lambda items: " ／ ".join(items)) if join_lists else list
    return plain.assign(
        status=evaluated["status"].map(v.STATUS_LABELS).astype(object),
        flags=evaluated["flags"].map(lambda flags: joined([v.FLAG_LABELS[flag] for flag in flags])),
        reasons=evaluated["reasons"].map(joined),
        notes=evaluated["notes"].map(joined),
    )


def _headers(levels: dict[str, str]) -> dict[str, str]:
    return HEADERS | {"policy_code": levels[v.POLICY]}


def _roll_up(evaluated: pd.DataFrame, policies: pd.DataFrame, policy: str) -> pd.DataFrame:
    summary = summarise_statuses(evaluated)
    names = dict(zip(policies["code"], policies["code"].map(lambda code: f"{policy}{code}"), strict=True))
    return pd.DataFrame(
        {
            "範囲": summary["policy_code"].map(lambda code: names.get(code, "計画全体")),
            "指標数": summary["total"],
            **{v.STATUS_LABELS[status]: summary[status] for status in v.STATUSES},
            "まとめ": summary["summary"].map(lambda status: f"{v.STATUS_SYMBOLS[status]} {v.STATUS_LABELS[status]}"),
        }
    )


def _values(evaluated: pd.DataFrame, column: str) -> list[str]:
    return [format_value(value, unit) for value, unit in zip(evaluated[column], evaluated["unit"], strict=True)]


def _margin(margin: float, value: float) -> str:
    if pd.isna(value):
        return "—"
    if pd.isna(margin):
        return "不明（n なし）"
    # Only a count (業務統計) has no sampling error; a Wilson margin is never exactly zero.
    return "なし（業務統計）" if margin == 0 else f"±{margin:.1f}pt"


def _shorten(name: str) -> str:
    """Cut a long indicator name to the table's width; the CSV and JSON carry it whole."""
    if _width(name) <= _NAME_WIDTH:
        return name
    while _width(name) > _NAME_WIDTH - 1:
        name = name[:-1]
    return f"{name}…"


def _aligned(frame: pd.DataFrame) -> list[str]:
    """Header and rows padded by display width, so that full-width Japanese lines up in a terminal."""
    rows = [list(map(str, frame.columns)), *(list(map(str, row)) for row in frame.itertuples(index=False))]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(frame.columns))]
    return [
        "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
