"""The `actions` command: `actions survey` writes the 調査票, `actions import` loads filled ones, `actions undo` takes a load back."""

import argparse
import getpass
import sys
from pathlib import Path

from analytics import vocabulary as v

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_actions_command(commands: argparse._SubParsersAction) -> None:
    """Register `actions survey`, `actions import` and `actions undo` on the main parser's subcommands."""
    actions = commands.add_parser("actions", help="取組項目の実施状況を調査票で集める")
    action_commands = actions.add_subparsers(dest="actions_command", required=True, metavar="COMMAND")
    survey = action_commands.add_parser("survey", help="担当課ごとの調査票（xlsx）を書き出す")
    survey.add_argument("--year", required=True, type=int, help="調査する年度（例: 2024）")
    survey.add_argument("--output", required=True, type=Path, metavar="DIR", help="書き出すフォルダ")
    survey.set_defaults(handler=run_survey)
    load = action_commands.add_parser("import", help="記入済みの調査票を1つの取込として取り込む")
    load.add_argument("files", nargs="+", metavar="FILE", help="記入済みの調査票（xlsx）")
    load.add_argument("--year", required=True, type=int, help="調査票の年度（例: 2024）")
    load.add_argument("--dry-run", action="store_true", help="新規・変更・変更なしを表示するだけで、何も書き込まない")
    load.add_argument("--user", default=getpass.getuser(), help="履歴に記録する取込者名（既定: ログイン名）")
    load.set_defaults(handler=run_import)
    sheet = action_commands.add_parser("sheet", help="基本施策ごとの施策評価シート（xlsx）を書き出す")
    sheet.add_argument("--year", required=True, type=int, help="評価する年度（例: 2024）")
    sheet.add_argument("--output", required=True, type=Path, metavar="FILE", help="書き出すファイル（.xlsx）")
    sheet.set_defaults(handler=run_sheet)
    undo = action_commands.add_parser("undo", help="調査票の取込を取り消す")
    undo.add_argument("batch", type=int, metavar="BATCH", help="取り消す取込の番号")
    undo.set_defaults(handler=run_undo)


def run_survey(arguments: argparse.Namespace) -> int:
    """Write one 調査票 per 担当課 for the current plan; exit 2 when the folder does not exist."""
    from analytics import store
    from analytics.actions.settings import load_action_settings
    from analytics.actions.survey import write_surveys
    from analytics.bootstrap import prepare_store

    if not arguments.output.is_dir():
        return _fail(f"書き出し先のフォルダがありません: {arguments.output}", EXIT_USAGE)
    plan = store.read_plans(prepare_store())[-1]
    paths = write_surveys(plan, arguments.year, load_action_settings(), arguments.output)
    for path in paths:
        print(f"{path} を書き出しました。")
    print(f"{arguments.year}年度の調査票 {len(paths)} 件を書き出しました。")
    return EXIT_OK


def run_import(arguments: argparse.Namespace) -> int:
    """Check every file; print the preview; write all answers as one batch unless any cell is wrong (exit 1)."""
    import pandas as pd

    from analytics import store
    from analytics.actions.settings import load_action_settings
    from analytics.actions.survey import ERROR, preview_answers, read_survey
    from analytics.bootstrap import prepare_store

    missing = [path for path in arguments.files if not Path(path).is_file()]
    if missing:
        return _fail(f"ファイルが見つかりません: {', '.join(missing)}", EXIT_USAGE)
    engine = prepare_store()
    plan, settings = store.read_plans(engine)[-1], load_action_settings()
    surveys = [
        read_survey(path.name, path.read_bytes(), arguments.year, plan, settings) for path in map(Path, arguments.files)
    ]
    errors = [error for survey in surveys for error in survey.errors]
    answers = pd.concat([survey.rows for survey in surveys], ignore_index=True)
    preview = preview_answers(answers, store.read_action_reports(engine))
    level = plan.level(v.ACTION)
    for row in preview.itertuples(index=False):
        print(f"{row.change}\t{row.action_code}\t{row.status}\t{row.department}")
    for error in errors:
        print(f"{ERROR}: {error}", file=sys.stderr)
    if errors:
        return _fail(
            f"{len(errors)} 件の誤りがあるため、何も取り込みませんでした。直してからもう一度取り込んでください。",
            EXIT_INVALID,
        )
    if arguments.dry_run:
        return EXIT_OK
    batch = store.write_action_reports(
        engine, answers, arguments.user, [path.name for path in map(Path, arguments.files)]
    )
    print(f"取込 {batch} として{level} {len(answers)} 件の報告を登録しました（取り消し: actions undo {batch}）。")
    return EXIT_OK


def run_sheet(arguments: argparse.Namespace) -> int:
    """Write the 施策評価シート of every 基本施策 for the year; exit 2 when the folder does not exist."""
    from analytics import store
    from analytics.actions.settings import load_action_settings
    from analytics.actions.sheet import write_evaluation_sheets
    from analytics.bootstrap import prepare_store
    from analytics.evaluation_cache import evaluate_stored_plan
    from analytics.evaluation_settings import load_settings
    from analytics.reports.evaluation_sheet import read_action_records

    if not arguments.output.parent.is_dir():
        return _fail(f"書き出し先のフォルダがありません: {arguments.output.parent}", EXIT_USAGE)
    engine = prepare_store()
    plan = store.read_plans(engine)[-1]
    settings = load_settings()
    observations = store.read_observations(engine)
    evaluated = evaluate_stored_plan(engine, plan, settings, arguments.year, settings.method)
    records = read_action_records(engine, arguments.year, load_action_settings())
    sample = bool(plan.indicators["sample"].any() or observations["sample"].any() or records.reports["sample"].any())
    count = write_evaluation_sheets(
        arguments.output, plan, records, evaluated.indicators, arguments.year, sample=sample
    )
    print(f"{v.format_fiscal_year(arguments.year)}の施策評価シート {count} 枚を {arguments.output} に書き出しました。")
    return EXIT_OK


def run_undo(arguments: argparse.Namespace) -> int:
    """Take back one 調査票 load; exit 2 for a batch that does not exist or is already undone."""
    import pandas as pd

    from analytics import store
    from analytics.bootstrap import prepare_store

    engine = prepare_store()
    batches = store.read_action_batches(engine).set_index("id")
    if arguments.batch not in batches.index or pd.notna(batches.loc[arguments.batch, "undone_at"]):
        return _fail(f"取り消せる調査票の取込 {arguments.batch} はありません。", EXIT_USAGE)
    removed = store.undo_action_batch(engine, arguments.batch)
    print(f"調査票の取込 {arguments.batch} を取り消しました（{removed} 件）。")
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"エラー: {message}", file=sys.stderr)
    return code
