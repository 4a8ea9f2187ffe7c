"""`publish --output DIR` builds the citizens' site; `publish approve|withdraw --year Y` records 公表."""

import argparse
import getpass
import sys
from pathlib import Path

from analytics import vocabulary as v


def add_publish_command(commands: argparse._SubParsersAction) -> None:
    """Register `publish` (and its approve / withdraw) on the main parser's subcommands."""
    publish = commands.add_parser(
        "publish", help="公表済みの年度から市民向けの公開サイト（静的HTML・オープンデータ）を書き出す"
    )
    publish.add_argument("--output", metavar="DIR", help="書き出すフォルダ（既にあれば、完成した時点で置き換える）")
    publish.add_argument("--base-url", metavar="URL", help="公開先のURL（指定すると sitemap.xml を書き出す）")
    publish.set_defaults(handler=run_publish)
    decisions = publish.add_subparsers(dest="publish_command", metavar="COMMAND")
    for name, help_text, handler in (
        ("approve", "年度の結果と所見を公表する（管理者）", run_approve),
        ("withdraw", "年度の公表を取り下げる（管理者。記録は残る）", run_withdraw),
    ):
        decision = decisions.add_parser(name, help=help_text)
        decision.add_argument("--year", type=int, required=True, help="年度（西暦）")
        decision.add_argument("--user", default=getpass.getuser(), help="記録する管理者名（既定: ログイン名）")
        decision.set_defaults(handler=handler)


def run_publish(arguments: argparse.Namespace) -> int:
    """Build the site; with no published year, say so and exit 1."""
    from analytics.bootstrap import prepare_store
    from analytics.publish.site import PublishError, build_site

    if not arguments.output:
        print("エラー: 書き出すフォルダを --output DIR で指定してください。", file=sys.stderr)
        return 2
    try:
        summary = build_site(prepare_store(), Path(arguments.output), arguments.base_url)
    except PublishError as error:
        print(f"エラー: {error}", file=sys.stderr)
        return 1
    years = "、".join(v.format_fiscal_year(year) for year in summary.years)
    print(
        f"公開サイトを書き出しました: {arguments.output}（{summary.pages} ページ、データ {summary.data_files} ファイル、公表年度: {years}）"
    )
    return 0


def run_approve(arguments: argparse.Namespace) -> int:
    """Record 公表 of one year."""
    from analytics.bootstrap import prepare_store
    from analytics.publish.approval import publish_year

    publish_year(prepare_store(), arguments.year, arguments.user)
    print(f"{v.format_fiscal_year(arguments.year)}の結果と所見を公表しました（{arguments.user}）。")
    return 0


def run_withdraw(arguments: argparse.Namespace) -> int:
    """Record the withdrawal of one year."""
    from analytics.bootstrap import prepare_store
    from analytics.publish.approval import withdraw_year

    withdraw_year(prepare_store(), arguments.year, arguments.user)
    print(f"{v.format_fiscal_year(arguments.year)}の公表を取り下げました（{arguments.user}）。")
    return 0
