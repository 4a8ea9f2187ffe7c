"""The one error boundary: every expected failure as one Japanese sentence, the details to the log."""

import errno
import logging
import sqlite3

import sqlalchemy as sa

from analytics import store
from analytics.accounts import AccountError
from analytics.actions.survey import ReportRefusedError
from analytics.cells import CellError
from analytics.evaluation_settings import SettingsError
from analytics.files import OutputError
from analytics.importer import RejectedImportError
from analytics.plan import PlanError
from analytics.progress import TargetError
from analytics.reports.pptx_report import TemplateError
from analytics.reports.report_content import CommentaryError, ScopeError
from analytics.spreadsheets import SpreadsheetError
from analytics.worker import WorkerError

UNEXPECTED = (
    "予期しない問題が起きたため処理を中止したので、もう一度試しても直らなければ、"
    "このときの日時を添えて管理者に連絡してください（詳しい内容はログに記録しました）。"
)
# Errors raised by the app itself already carry their one Japanese sentence.
_APP_ERRORS = (
    store.StoreError,
    PlanError,
    SettingsError,
    TargetError,
    SpreadsheetError,
    RejectedImportError,
    AccountError,
    ReportRefusedError,
    ScopeError,
    CellError,
    OutputError,
    CommentaryError,
    WorkerError,
    TemplateError,
)
_log = logging.getLogger(__name__)


def explain_failure(error: BaseException) -> str:
    """The sentence to show for `error` (UNEXPECTED for a bug); the traceback goes to the log only."""
    sentence = _describe(error)
    _log.error("%s", sentence or UNEXPECTED, exc_info=error)
    return sentence or UNEXPECTED


def _describe(error: BaseException) -> str | None:
    if isinstance(error, _APP_ERRORS):
        return str(error)
    if isinstance(error, sa.exc.NoSuchModuleError | sa.exc.ArgumentError):
        return (
            f"{store.DATABASE_URL_VARIABLE} の値（{_location()}）はデータベースの URL として使えないため、"
            "「sqlite:///ファイルの場所」か「postgresql+psycopg://ユーザー@サーバー/データベース名」の形で設定し直してください。"
        )
    if isinstance(error, ModuleNotFoundError):
        return (
            f"必要なモジュール「{error.name}」が入っていないため、データベース（{_location()}）に接続するドライバなら"
            f"{store.DATABASE_URL_VARIABLE} を確かめ、そうでなければ requirements.txt のパッケージを入れ直してください。"
        )
    if isinstance(error, sa.exc.DBAPIError):
        return _describe_database(error)
    if isinstance(error, OSError):
        return _describe_os(error)
    return None


def _describe_database(error: sa.exc.DBAPIError) -> str:
    where = _location()
    detail = str(error.orig).lower()
    if "not a database" in detail or "malformed" in detail:
        return (
            f"データベースのファイル（{where}）がデータベースではないか壊れているため、"
            f"{store.DATABASE_URL_VARIABLE} で正しいファイルを指定するか、バックアップから戻してください。"
        )
    if "disk is full" in detail or "no space" in detail:
        return f"ディスクの空きがないためデータベース（{where}）に書き込めませんので、空きを作ってからもう一度実行してください。"
    if "readonly" in detail or "read-only" in detail:
        return (
            f"データベース（{where}）が読み取り専用の場所にあるため書き込めませんので、"
            f"書き込めるフォルダを {store.DATABASE_URL_VARIABLE} で指定してください。"
        )
    if "unable to open" in detail:
        return (
            f"データベースのファイル（{where}）を開けない（フォルダがないか書き込めない）ため、"
            f"場所と権限を確かめるか、{store.DATABASE_URL_VARIABLE} で別の場所を指定してください。"
        )
    if isinstance(error.orig, sqlite3.Error) or not isinstance(error, sa.exc.OperationalError):
        return f"データベース（{where}）の読み書きに失敗したため処理を中止しましたので、管理者に連絡してください。"
    return (
        f"データベース（{where}）に接続できないため、サーバーが動いているか、"
        f"{store.DATABASE_URL_VARIABLE} のサーバー名・ポート・ユーザー名を確かめてください。"
    )


def _describe_os(error: OSError) -> str:
    where = f"「{error.filename}」" if error.filename else "ファイル"
    code = error.errno
    if code == errno.ENOSPC:
        return f"ディスクの空きがないため{where}に書き込めませんでしたので、不要なファイルを消して空きを作ってから、もう一度実行してください。"
    if code == errno.EROFS:
        return f"{where}は読み取り専用の場所にあるため書き込めませんので、書き込めるフォルダを指定してください。"
    if code in (errno.EACCES, errno.EPERM):
        return f"{where}を読み書きする権限がないため、権限のあるフォルダを指定するか、管理者に権限を付けてもらってください。"
    if code == errno.EISDIR:
        return f"{where}はフォルダなので、その中に作るファイルの名前まで指定してください。"
    if code == errno.ENOENT:
        return f"{where}が見つからない（フォルダがないか、名前が違う）ため、場所と名前を確かめてください。"
    if code == errno.ENOTDIR:
        return f"{where}の途中にフォルダでないものがあるため、場所を確かめてください。"
    return f"{where}を読み書きできなかった（{error.strerror}）ため、場所と空き容量を確かめてから、もう一度実行してください。"


def _location() -> str:
    """Where the store is configured to be, never with its password."""
    url = store.database_url()
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return url
    if parsed.drivername.startswith("sqlite") and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)
