"""`backup FILE` and `restore FILE`: a consistent copy of the whole store, and bringing it back."""

import argparse
from pathlib import Path


def add_backup_commands(commands: argparse._SubParsersAction) -> None:
    """Register `backup` and `restore` on the main parser's subcommands."""
    backup = commands.add_parser(
        "backup", help="データベース全体のバックアップを1つのファイルに書き出す（稼働中でもよい）"
    )
    backup.add_argument("file", metavar="FILE", help="書き出すファイル（既にあれば、完成した時点で置き換える）")
    backup.set_defaults(handler=run_backup)
    restore = commands.add_parser("restore", help="バックアップを空のデータベースに復元する")
    restore.add_argument("file", metavar="FILE", help="backup で書き出したファイル")
    restore.set_defaults(handler=run_restore)


def run_backup(arguments: argparse.Namespace) -> int:
    """Back up the store named by DASHBOARD_DATABASE_URL (or the default file)."""
    from analytics import store

    engine = store.open_store()
    counts = store.backup_store(engine, Path(arguments.file))
    print(f"バックアップを書き出しました: {arguments.file}（{_describe(counts)}）")
    return 0


def run_restore(arguments: argparse.Namespace) -> int:
    """Restore into the store named by DASHBOARD_DATABASE_URL, which must be empty."""
    from analytics import store

    engine = store.open_store()
    counts = store.restore_store(engine, Path(arguments.file))
    print(f"{store.describe_location(engine)} に復元しました（{_describe(counts)}）")
    return 0


def _describe(counts: dict[str, int]) -> str:
    return f"取込 {counts['batches']:,} 件、観測値 {counts['observations']:,} 件、計画 {counts['plan_versions']} 版"
