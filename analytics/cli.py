"""Command line: `python -m analytics COMMAND`, sharing every function with the pages."""

import argparse
import getpass
import sys
from pathlib import Path

from analytics import store
from analytics import vocabulary as v
from analytics.accounts import EDITOR, ROLES, AccountError, create_user
from analytics.bootstrap import prepare_store
from analytics.importer import RejectedImportError, import_files, read_files, validate_files
from analytics.reports.export_command import add_export_command
from analytics.status_report import add_status_command

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _init(_arguments: argparse.Namespace) -> int:
    engine = prepare_store()
    plans = store.read_plans(engine)
    print(f"データベース: {store.describe_location(engine)}")
    print(f"計画: {' / '.join(p.label for p in plans)}（現行: {plans[-1].label}）")
    print(f"登録済みの観測値: {len(store.read_observations(engine))} 件")
    return EXIT_OK


def _validate(arguments: argparse.Namespace) -> int:
    files = _read_arguments(arguments.files)
    engine = prepare_store()
    validation = validate_files(files, store.read_plans(engine)[-1].indicators)
    for issue in validation.issues:
        print(issue)
    if not validation.ok:
        return EXIT_INVALID
    print(f"問題はありません（{len(validation.observations)} 行）。")
    return EXIT_OK


def _import(arguments: argparse.Namespace) -> int:
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
                f"登録済み {row.old_value:g}（n={_n(row.old_respondents)}） → 新しい値 {row.value:g}（n={_n(row.respondents)}）"
            )
        print(error)
        return EXIT_INVALID
    print(
        f"取込 {result.batch_id} として取り込みました: 新規 {result.added} 件、"
        f"変更 {result.changed} 件、変更なし {result.unchanged} 件。"
    )
    return EXIT_OK


def _n(value: object) -> str:
    return "—" if value is None or value != value else f"{int(value):,}"


def _read_arguments(paths: list[str]) -> list[tuple[str, bytes]]:
    missing = [path for path in paths if not Path(path).is_file()]
    if missing:
        raise _UsageError(f"ファイルが見つかりません: {', '.join(missing)}")
    return read_files([Path(path) for path in paths])


def _user_add(arguments: argparse.Namespace) -> int:
    password = _read_password()
    engine = prepare_store()
    try:
        user = create_user(engine, arguments.name, password, arguments.role)
    except AccountError as error:
        raise _UsageError(str(error)) from error
    print(f"ユーザー「{user.name}」（役割: {user.role}）を登録しました。")
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
    commands.add_parser("init", help="データベースを作成し、計画を読み込む").set_defaults(handler=_init)

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

    user = commands.add_parser("user", help="データ取込ページの編集者アカウントを管理する")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    add = user_commands.add_parser(
        "add", help="アカウントを追加する（パスワードは入力を求める。端末でなければ標準入力の1行目を使う）"
    )
    add.add_argument("name", metavar="NAME", help="ユーザー名（取込の履歴に記録される）")
    add.add_argument("--role", choices=ROLES, default=EDITOR, help="役割（editor: 取込と取り消しができる）")
    add.set_defaults(handler=_user_add)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit 0 on success, 1 when the input is invalid, 2 on a usage error."""
    arguments = build_parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except _UsageError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return EXIT_USAGE
    except store.StoreError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return EXIT_INVALID
