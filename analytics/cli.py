"""Command line: `python -m analytics COMMAND`, sharing every function with the pages."""

import argparse
import sys

from analytics import store
from analytics.bootstrap import prepare_store


def _init(_arguments: argparse.Namespace) -> int:
    engine = prepare_store()
    plans = store.read_plans(engine)
    print(f"データベース: {store.describe_location(engine)}")
    print(f"計画: {' / '.join(p.label for p in plans)}（現行: {plans[-1].label}）")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="参画と協働 指標ダッシュボードのコマンド")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("init", help="データベースを作成し、計画を読み込む").set_defaults(handler=_init)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit 0 on success, 1 when the input is invalid, 2 on a usage error."""
    arguments = build_parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except store.StoreError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1
