"""The `export` command: write a report (pptx, xlsx or html) for a year and scope, as the 報告書出力 page does."""

import argparse
import sys
from datetime import date
from functools import partial
from pathlib import Path

from analytics import vocabulary as v
from analytics.reports import FORMATS

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_export_command(commands: argparse._SubParsersAction) -> None:
    """Register `export` on the main parser's subcommands."""
    export = commands.add_parser("export", help="報告書（PowerPoint・Excel・HTML）を書き出す")
    export.add_argument("--format", required=True, choices=list(FORMATS), help="形式: pptx / xlsx / html")
    export.add_argument("--output", required=True, type=Path, metavar="FILE", help="書き出すファイル")
    export.add_argument("--year", type=int, help="評価する年度（西暦。既定: データのある最新の年度）")
    export.add_argument("--method", choices=v.METHODS, help="評価方法（既定: data/evaluation.toml の method）")
    export.add_argument(
        "--scope",
        help="範囲: all（計画全体・既定）、flagged（要注意の指標のみ）、基本方針のコード（例: 1）、"
        "基本施策のコード（例: 1.2。その基本方針の指標と施策評価シート）",
    )
    export.add_argument(
        "--template",
        type=Path,
        metavar="FILE.pptx",
        help="PowerPoint の元にする市のテンプレート（既定: 設定ファイルの [reports] template、なければ data/report_template.pptx）",
    )
    export.add_argument(
        "--plan-then", action="store_true", help="当時の計画で評価（その年度末に有効だった計画の版を使う）"
    )
    export.set_defaults(handler=run_export)


def run_export(arguments: argparse.Namespace) -> int:
    """Evaluate the stored data exactly as the dashboard does and write the report file.

    Exit 1 for a bad settings file or plan target or an empty store, 2 for a scope, year or output
    the store cannot serve.
    """
    from analytics import store
    from analytics.actions.settings import load_action_settings
    from analytics.bootstrap import prepare_store
    from analytics.evaluation_cache import evaluate_stored_plan
    from analytics.evaluation_settings import SettingsError, load_settings
    from analytics.files import write_file_atomically
    from analytics.plan_admin import describe_revision, read_plan_for
    from analytics.progress import TargetError
    from analytics.reports.evaluation_sheet import read_action_records
    from analytics.reports.pptx_report import TemplateError, render_pptx
    from analytics.reports.report_content import WHOLE_PLAN, ScopeError, build_report

    if arguments.template is not None and arguments.format != "pptx":
        return _fail("--template は --format pptx のときだけ指定できます。", EXIT_USAGE)
    if not arguments.output.parent.is_dir():
        return _fail(f"書き出し先のフォルダがありません: {arguments.output.parent}", EXIT_USAGE)
    try:
        settings = load_settings()
        engine = prepare_store()
        plan = read_plan_for(engine, arguments.year, as_then=arguments.plan_then)
        observations = store.read_observations(engine)
        years = set(observations.loc[observations["dimension"] == v.OVERALL, "fiscal_year"])
        if not years:
            return _fail("調査結果がまだ登録されていません。import で取り込んでから書き出してください。", EXIT_INVALID)
        if arguments.year is not None and arguments.year not in years:
            known = "、".join(str(year) for year in sorted(years))
            return _fail(f"{arguments.year} 年度の調査結果はありません（あるのは {known}）。", EXIT_USAGE)
        method = arguments.method or settings.method
        evaluation = evaluate_stored_plan(engine, plan, settings, arguments.year, method)
        actions = read_action_records(engine, evaluation.year, load_action_settings())
        sample = bool(
            plan.indicators["sample"].any() or observations["sample"].any() or actions.reports["sample"].any()
        )
        commentary = store.read_commentary(engine, evaluation.year)
        report = build_report(
            evaluation,
            plan,
            commentary,
            scope=arguments.scope or WHOLE_PLAN,
            sample=sample,
            today=date.today(),
            settings=settings,
            actions=actions,
        )
        render = FORMATS[arguments.format].render
        if arguments.format == "pptx":
            render = partial(render_pptx, template=arguments.template)
        # Rendered while writing, so that a failure halfway leaves the previous file as it was.
        write_file_atomically(arguments.output, lambda stream: stream.write(render(report)))
    except ScopeError as error:
        return _fail(str(error), EXIT_USAGE)
    except (SettingsError, TargetError, TemplateError) as error:
        return _fail(str(error), EXIT_INVALID)
    print(
        f"{arguments.output} に書き出しました（{v.format_fiscal_year(report.year)}、{report.scope_label}、"
        f"指標 {len(report.indicators)} 件、計画: {describe_revision(plan)}）。"
    )
    if sample:
        print(v.SAMPLE_NOTICE)
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"エラー: {message}", file=sys.stderr)
    return code
