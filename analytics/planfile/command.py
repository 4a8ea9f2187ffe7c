"""The `plan` command: `plan import` reads a city's 体系表 into plan revisions, `plan export` writes one out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import vocabulary as v

if TYPE_CHECKING:
    from analytics.plan import Plan
    from analytics.planfile.parsing import Draft

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
FORMATS = ("xlsx", "yaml")


def add_plan_command(commands: argparse._SubParsersAction) -> None:
    """Register `plan import` and `plan export` on the main parser's subcommands."""
    plan = commands.add_parser("plan", help="計画（体系表）を取り込む・書き出す")
    plan_commands = plan.add_subparsers(dest="plan_command", required=True, metavar="COMMAND")
    load = plan_commands.add_parser(
        "import", help="体系表（seed のテキスト、xlsx、xls、書き出した yaml）を計画の新しい版として取り込む"
    )
    load.add_argument("files", nargs="+", metavar="FILE", help="txt / xlsx / xls / yaml")
    load.add_argument("--dry-run", action="store_true", help="読み取った内容を表示するだけで、何も書き込まない")
    load.add_argument("--format", choices=("text", "json"), default="text", help="表示形式（既定: text）")
    load.set_defaults(handler=run_plan_import)
    save = plan_commands.add_parser("export", help="計画の版を xlsx か yaml に書き出す（取り込み直せる形）")
    save.add_argument("--format", required=True, choices=FORMATS, help="形式: xlsx / yaml")
    save.add_argument("--output", required=True, type=Path, metavar="FILE", help="書き出すファイル")
    save.add_argument("--revision", type=int, help="書き出す版の番号（既定: 現行の版）")
    save.set_defaults(handler=run_plan_export)


def run_plan_import(arguments: argparse.Namespace) -> int:
    """Parse every file; with --dry-run print the drafts, otherwise store each as a new revision.

    Exit 1 when a file cannot be read as a plan (the message names file, sheet and cell)."""
    from analytics import store
    from analytics.bootstrap import prepare_store
    from analytics.plan import PlanError
    from analytics.planfile.drafts import complete_drafts, read_drafts
    from analytics.spreadsheets import SpreadsheetError

    missing = [path for path in arguments.files if not Path(path).is_file()]
    if missing:
        return _fail(f"ファイルが見つかりません: {', '.join(missing)}", EXIT_USAGE)
    try:
        drafts = [draft for path in map(Path, arguments.files) for draft in read_drafts(path.name, path.read_bytes())]
        if arguments.dry_run:
            _print_drafts([describe_draft(draft) for draft in drafts], arguments.format)
            return EXIT_OK
        engine = prepare_store()
        plans = complete_drafts(drafts, store.read_plans(engine))
    except (PlanError, SpreadsheetError) as error:
        return _fail(str(error), EXIT_INVALID)
    revisions = store.add_plan_revisions(engine, plans)
    for plan, revision in zip(plans, revisions, strict=True):
        if revision is None:
            print(f"「{plan.label}」: 同じ内容の版が登録済みのため、変更しませんでした。")
        else:
            print(f"「{plan.label}」を計画の版 {revision} として登録しました（{_counts_text(describe_draft(plan))}）。")
    return EXIT_OK


def run_plan_export(arguments: argparse.Namespace) -> int:
    """Write the current (or the chosen) revision; exit 2 for a revision or folder that does not exist."""
    from analytics import store
    from analytics.bootstrap import prepare_store
    from analytics.planfile.export import export_plan

    if not arguments.output.parent.is_dir():
        return _fail(f"書き出し先のフォルダがありません: {arguments.output.parent}", EXIT_USAGE)
    plans = {plan.revision: plan for plan in store.read_plans(prepare_store())}
    revision = max(plans) if arguments.revision is None else arguments.revision
    if revision not in plans:
        known = "、".join(str(number) for number in sorted(plans))
        return _fail(f"計画の版 {revision} はありません（あるのは {known}）。", EXIT_USAGE)
    try:
        export_plan(plans[revision], arguments.format, arguments.output)
    except OSError as error:
        return _fail(
            f"{arguments.output} に書き込めません（{error.strerror}）。書き込めるフォルダを指定してください。",
            EXIT_INVALID,
        )
    print(f"計画の版 {revision}（{plans[revision].label}）を {arguments.output} に書き出しました。")
    return EXIT_OK


def describe_draft(draft: Draft | Plan) -> dict:
    """What a person checks before importing: label, level names, counts, every indicator's values."""
    from analytics.planfile.parsing import Draft, with_inferred

    source = draft.file_name if isinstance(draft, Draft) else draft.source
    counts = draft.nodes["kind"].value_counts()
    return {
        "file": source,
        "title": draft.title,
        "label": draft.label,
        "levels": [{"kind": kind, "name": draft.levels[kind]} for kind in v.NODE_KINDS],
        "counts": {
            draft.levels[kind]: int(counts.get(kind, 0)) if kind != v.INDICATOR else len(draft.indicators)
            for kind in v.NODE_KINDS
        },
        "indicators": [
            {
                "code": row["code"],
                "name": row["name"],
                "baseline": _point(row["baseline_year"], row["baseline_value"]),
                "target": _point(row["target_year"], row["target_value"]),
                "yearly_targets": [
                    _point(year, value)
                    for year, value in draft.yearly_targets.loc[
                        draft.yearly_targets["indicator_code"] == row["code"], ["fiscal_year", "value"]
                    ].itertuples(index=False)
                ],
                "unit": _plain(row["unit"]),
                "lead_department": _plain(row.get("lead_department")),
                "related_departments": _plain(row.get("related_departments")),
            }
            for row in map(with_inferred, draft.indicators.to_dict("records"))
        ],
    }


def _point(year: object, value: object) -> dict | None:
    if _plain(value) is None:
        return None
    return {"fiscal_year": None if _plain(year) is None else int(year), "value": float(value)}


def _plain(value: object) -> object:
    return None if value is None or (isinstance(value, float) and value != value) else value


def _print_drafts(described: list[dict], format_name: str) -> None:
    if format_name == "json":
        print(json.dumps(described, ensure_ascii=False, indent=2))
        return
    for draft in described:
        print(f"{draft['file']}: 「{draft['label']}」 {_counts_text(draft)}")
        for row in draft["indicators"]:
            baseline, target = row["baseline"], row["target"]
            values = (
                f"基準値 {baseline['value']:g}（{baseline['fiscal_year']}年度） → 目標値 {target['value']:g}（{target['fiscal_year']}年度）"
                if baseline and target
                else "基準値・目標値なし"
            )
            print(f"  {row['code']} {row['name']}: {values}、単位 {row['unit'] or '不明'}")


def _counts_text(described: dict) -> str:
    return " / ".join(f"{name} {count}" for name, count in described["counts"].items())


def _fail(message: str, code: int) -> int:
    print(f"エラー: {message}", file=sys.stderr)
    return code
