"""Command line: `python -m analytics COMMAND`, sharing every function with the pages."""

import argparse
import getpass
import logging
import os
import sys
from functools import partial
from pathlib import Path

# Only light modules at the top: `--help` and a usage error must not wait for pandas, SQLAlchemy or
# the report renderers, so every command imports what it uses when it runs (tests/test_cli.py).
from analytics import vocabulary as v
from analytics.actions.command import add_actions_command
from analytics.backup_command import add_backup_commands
from analytics.planfile.command import add_plan_command
from analytics.publish.command import add_publish_command
from analytics.reports.export_command import add_export_command
from analytics.status_command import add_status_command

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
LOG_FILE_VARIABLE = "DASHBOARD_LOG_FILE"
DEFAULT_LOG_FILE = Path(__file__).resolve().parent.parent / "var" / "dashboard.log"


def _init(arguments: argparse.Namespace) -> int:
    from analytics import store
    from analytics.bootstrap import prepare_store

    engine = prepare_store(sample=not arguments.empty)
    plans = store.read_plans(engine)
    print(f"データベース: {store.describe_location(engine)}")
    print(f"計画: {' / '.join(p.label for p in plans)}（現行: {plans[-1].label}）")
    print(f"登録済みの観測値: {len(store.read_observations(engine))} 件")
    if arguments.empty and (count := store.count_sample_observations(engine)):
        print(
            f"このデータベースには既にサンプル（架空）の調査結果が {count:,} 件あります。"
            "最初の実データを取り込むと、同じ処理の中で取り下げられます。"
        )
    return EXIT_OK


def _validate(arguments: argparse.Namespace) -> int:
    from analytics import store
    from analytics.bootstrap import prepare_store
    from analytics.importer import validate_files
    from analytics.upload import describe_withdrawal

    files = _read_arguments(arguments.files)
    engine = prepare_store()
    validation = validate_files(
        files, store.read_plans(engine)[-1].indicators, on_progress=partial(_say_progress, len(files))
    )
    for issue in validation.issues:
        print(issue)
    if not validation.ok:
        return EXIT_INVALID
    print(f"問題はありません（{len(validation.observations)} 行）。")
    if count := store.count_sample_observations(engine):
        print(describe_withdrawal(count))
    return EXIT_OK


def _say_progress(files: int, index: int, name: str, rows: int) -> None:
    """Rows read so far, rewritten in place on stderr: a large file is seen to advance, stdout keeps the result."""
    from analytics.upload import describe_progress

    print(f"\r{describe_progress(index, files, name, rows)}", end="\n" if index >= files else "", file=sys.stderr)


def _import(arguments: argparse.Namespace) -> int:
    from analytics import store
    from analytics.bootstrap import prepare_store
    from analytics.importer import RejectedImportError, import_files
    from analytics.upload import describe_result

    files = _read_arguments(arguments.files)
    engine = prepare_store()
    try:
        result = import_files(engine, files, arguments.user, replace=arguments.replace)
    except RejectedImportError as error:
        for issue in error.issues:
            print(issue)
        print(error)
        return EXIT_INVALID
    except store.ConflictError as error:
        for row in error.changes.itertuples():
            breakdown = "全体" if row.dimension == v.OVERALL else f"{row.dimension}: {row.category}"
            print(
                f"{row.indicator_code} {v.format_fiscal_year(row.fiscal_year)}（{breakdown}）: "
                f"登録済み {_number(row.old_value)}（n={_n(row.old_respondents)}） → "
                f"新しい値 {_number(row.value)}（n={_n(row.respondents)}）"
            )
        print(error)
        return EXIT_INVALID
    print(describe_result(result))
    return EXIT_OK


def _n(value: object) -> str:
    import pandas as pd

    # pd.NA has no truth value, so test for every kind of missing with pd.isna, never `!=`.
    return "—" if pd.isna(value) else f"{int(value):,}"


def _number(value: object) -> str:
    import pandas as pd

    return "—" if pd.isna(value) else f"{value:g}"


def _read_arguments(paths: list[str]) -> list[tuple[str, bytes]]:
    missing = [path for path in paths if not Path(path).is_file()]
    if missing:
        raise _UsageError(f"ファイルが見つかりません: {', '.join(missing)}")
    from analytics.importer import read_files

    return read_files([Path(path) for path in paths])


def _user_add(arguments: argparse.Namespace) -> int:
    from analytics.accounts import AccountError, create_user
    from analytics.bootstrap import prepare_store

    password = _read_password()
    engine = prepare_store()
    try:
        user = create_user(engine, arguments.name, password, arguments.role)
    except AccountError as error:
        raise _UsageError(str(error)) from error
    print(f"ユーザー「{user.name}」（役割: {user.role}、{user.role_label}）を登録しました。")
    return EXIT_OK


def _read_password() -> str:
    # A person types it twice, unseen; a script (or a test) pipes it in on one line.
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("パスワード: ")
    if getpass.getpass("パスワード（確認のためもう一度）: ") != password:
        raise _UsageError("パスワードが一致しません。")
    return password


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="参画と協働 指標ダッシュボードのコマンド")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser("init", help="データベースを作成し、計画を読み込む")
    init.add_argument("--empty", action="store_true", help="サンプルの調査結果を読み込まずに始める（本番用）")
    init.set_defaults(handler=_init)

    validate = commands.add_parser("validate", help="調査結果ファイルを検査する（何も書き込まない）")
    validate.add_argument("files", nargs="+", metavar="FILE", help="xlsx / xls / csv")
    validate.set_defaults(handler=_validate)

    load = commands.add_parser("import", help="調査結果ファイルを1つの取込として取り込む")
    load.add_argument("files", nargs="+", metavar="FILE", help="xlsx / xls / csv")
    load.add_argument("--replace", action="store_true", help="登録済みの値と異なる行を上書きする（元の値は履歴に残る）")
    load.add_argument("--user", default=getpass.getuser(), help="履歴に記録する取込者名（既定: ログイン名）")
    load.set_defaults(handler=_import)
    add_status_command(commands)
    add_export_command(commands)
    add_backup_commands(commands)
    add_plan_command(commands)
    add_actions_command(commands)
    add_publish_command(commands)

    user = commands.add_parser("user", help="編集者・管理者のアカウントを管理する")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    add = user_commands.add_parser(
        "add", help="アカウントを追加する（パスワードは入力を求める。端末でなければ標準入力の1行目を使う）"
    )
    add.add_argument("name", metavar="NAME", help="ユーザー名（取込の履歴に記録される）")
    add.add_argument(
        "--role",
        choices=v.ROLES,
        default=v.EDITOR,
        help="役割（editor: 調査結果の取込・取り消しと所見、admin: それに加えて計画とアカウントの管理）",
    )
    add.set_defaults(handler=_user_add)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit 0 on success, 1 when the input is invalid or anything expected fails
    (one Japanese sentence, details to the log), 2 on a usage error."""
    arguments = build_parser().parse_args(argv)
    _log_to_file()
    try:
        return arguments.handler(arguments)
    except _UsageError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        from analytics.failures import explain_failure

        print(f"エラー: {explain_failure(error)}", file=sys.stderr)
        return EXIT_INVALID


def _log_to_file() -> None:
    """Send details (tracebacks) to the log file, never to the terminal; without a writable log the
    sentence on stderr is all there is."""
    if logging.getLogger().handlers:
        return
    path = Path(os.environ.get(LOG_FILE_VARIABLE) or DEFAULT_LOG_FILE)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
