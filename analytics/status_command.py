"""The `status` command: evaluate the stored data as the dashboard does and print it (analytics.status_report)."""

import argparse
import sys

from analytics import vocabulary as v

FORMATS = ("table", "csv", "json")


def add_status_command(commands: argparse._SubParsersAction) -> None:
    """Register `status` on the main parser's subcommands."""
    status = commands.add_parser("status", help="指標ごとの評価（状況・フラグ・理由）を表示する")
    status.add_argument(
        "--year", type=int, help="評価する年度（西暦。既定: データのある最新の年度。ダッシュボードと同じ）"
    )
    status.add_argument("--method", choices=v.METHODS, help="評価方法（既定: data/evaluation.toml の method）")
    status.add_argument("--format", choices=FORMATS, default="table", help="出力形式（既定: table）")
    status.add_argument(
        "--plan-then", action="store_true", help="当時の計画で評価（その年度末に有効だった計画の版を使う）"
    )
    status.set_defaults(handler=run_status)


def run_status(arguments: argparse.Namespace) -> int:
    """Evaluate the stored data and print it; a bad settings file or plan target exits 1 with the reason."""
    from analytics import store
    from analytics.bootstrap import prepare_store
    from analytics.evaluation_cache import evaluate_stored_plan
    from analytics.evaluation_settings import SettingsError, load_settings
    from analytics.plan_admin import describe_revision, read_plan_for
    from analytics.progress import TargetError
    from analytics.sample_data import describe_sample
    from analytics.status_report import to_csv, to_json, to_table

    try:
        settings = load_settings()
        engine = prepare_store()
        plan = read_plan_for(engine, arguments.year, as_then=arguments.plan_then)
        method = arguments.method or settings.method
        evaluated = evaluate_stored_plan(engine, plan, settings, arguments.year, method).indicators
    except (SettingsError, TargetError) as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1
    if arguments.format == "csv":
        print(to_csv(evaluated, plan.levels), end="")
    elif arguments.format == "json":
        print(to_json(evaluated))
    else:
        print(
            f"評価方法: {v.METHOD_LABELS[method]}　信頼水準: {settings.confidence:.0%}"
            f"　判定: {v.STATUS_RULE_LABELS[settings.status_rule]}（詳しくは評価方法のページ）　計画: {describe_revision(plan)}"
        )
        if parts := describe_sample(plan.indicators, store.read_observations(engine)):
            print(f"サンプル（架空）データ: {'。'.join(parts)}。")
        print()
        print(to_table(evaluated, plan))
    return 0
