"""Accounts and roles: salted Argon2 local accounts (argon2-cffi), OIDC role mapping, throttled sign-in."""

import logging
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from analytics import store
from analytics.vocabulary import ADMIN, EDITOR, ROLE_LABELS, ROLES

# How the accounts table shows an editor without 担当課, who may report on every 取組.
ALL_DEPARTMENTS = "（すべて）"
MIN_PASSWORD_LENGTH = 8
# Failures allowed before sign-in slows down; then each attempt waits 1, 2, 4 … seconds, at most a minute.
FREE_FAILURES = 5
MAX_WAIT_SECONDS = 60
# Each Argon2 check takes 64 MiB; a burst of attempts must not exhaust the server's memory.
MAX_CONCURRENT_VERIFICATIONS = 2

_HASHER = PasswordHasher()
_VERIFICATIONS = threading.BoundedSemaphore(MAX_CONCURRENT_VERIFICATIONS)
# Verifying against this when the name is unknown takes as long as a real check, so response
# times do not tell which names exist.
_DUMMY_HASH = _HASHER.hash("no such user")
_log = logging.getLogger(__name__)


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message is Japanese."""


class SignInError(Exception):
    """A sign-in that did not succeed; the message is Japanese, `wait_seconds` how long to wait first."""

    def __init__(self, message: str, wait_seconds: float = 0.0) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


@dataclass(frozen=True)
class User:
    """A signed-in person: the name the batch history records, and what they may do."""

    name: str
    role: str
    # The 担当課 whose 取組 this editor reports on; none: every 取組 (as for a 管理者).
    departments: tuple[str, ...] = ()

    def may_report_for(self, department: str) -> bool:
        """Whether this person may enter or import a 取組 report of `department`: a 管理者 and an
        editor without 担当課 for every 取組, an editor with 担当課 only for theirs."""
        return self.is_admin or not self.departments or department in self.departments

    @property
    def is_editor(self) -> bool:
        """Editors and administrators may change survey data and 所見."""
        return self.role in ROLES

    @property
    def is_admin(self) -> bool:
        """Only administrators may change the plan and the accounts."""
        return self.role == ADMIN

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass
class SessionFailures:
    """Failed sign-ins in one browser session (kept in its session state), throttled like an account's."""

    failures: int = 0
    last_failed_at: datetime | None = None


def create_user(engine: Engine, name: str, password: str, role: str = EDITOR, departments: Sequence[str] = ()) -> User:
    """Store a new account with a salted hash of its password (never the password itself) and the
    担当課 it reports for, if any."""
    name = name.strip()
    if not name:
        raise AccountError("ユーザー名を入力してください。")
    if role not in ROLES:
        raise AccountError(f"役割は {'、'.join(ROLES)} のいずれかにしてください。")
    departments = _clean_departments(departments)
    store.add_user(engine, name, _hash(password), role, departments)
    return User(name=name, role=role, departments=departments)


def set_departments(engine: Engine, name: str, departments: Sequence[str]) -> None:
    """Give an account its 担当課 (none: it may report on every 取組); takes effect at its next sign-in."""
    store.set_user_departments(engine, name, _clean_departments(departments))


def reset_password(engine: Engine, name: str, password: str) -> None:
    """Give an account a new password (an administrator does this for someone who forgot theirs)."""
    store.update_user(engine, name, password_hash=_hash(password))
    store.clear_sign_in_failures(engine, name)


def set_disabled(engine: Engine, name: str, disabled: bool) -> None:
    """Disable an account (it can no longer sign in; its name stays in the history) or enable it again."""
    store.update_user(engine, name, disabled_at=datetime.now(UTC) if disabled else None)


def tabulate_accounts(engine: Engine) -> pd.DataFrame:
    """Every local account as an administrator reads it: name, role, state, created (never the hash)."""
    accounts = store.read_users(engine)
    created = pd.to_datetime(accounts["created_at"], utc=True).dt.tz_convert("Asia/Tokyo")
    return pd.DataFrame(
        {
            "ユーザー名": accounts["name"],
            "役割": accounts["role"].map(lambda role: ROLE_LABELS.get(role, role)),
            "担当課": accounts["departments"].map(lambda departments: "、".join(departments) or ALL_DEPARTMENTS),
            "状態": accounts["disabled_at"].map(lambda disabled: "無効" if pd.notna(disabled) else "有効"),
            "作成日時": created.dt.strftime("%Y-%m-%d %H:%M"),
        }
    )


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The account if name and password match, else None (the same answer for either mistake)."""
    account = store.read_user(engine, name.strip())
    try:
        with _VERIFICATIONS:
            _HASHER.verify(account["password_hash"] if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(name=account["name"], role=account["role"], departments=account["departments"]) if account else None


def sign_in(
    engine: Engine,
    name: str,
    password: str,
    session: SessionFailures,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> User:
    """Check a local sign-in, slowing down repeated failures per account (across sessions and
    processes, kept in the store) and per browser session; raises SignInError with what to do."""
    name, now = name.strip(), clock()
    failures, last_failed_at = store.read_sign_in_failures(engine, name)
    wait = max(_wait(failures, last_failed_at, now), _wait(session.failures, session.last_failed_at, now))
    if wait > 0:
        _log.warning("sign-in throttled at %s for account %r (%.1f s to wait)", now.isoformat(), name, wait)
        raise SignInError(_throttled(wait), wait)
    user = authenticate(engine, name, password)
    if user is None:
        store.record_sign_in_failure(engine, name, now)
        session.failures, session.last_failed_at = session.failures + 1, now
        _log.warning("sign-in failed at %s for account %r", now.isoformat(), name)
        next_wait = max(_wait(failures + 1, now, now), _wait(session.failures, now, now))
        raise SignInError(
            "ユーザー名かパスワードが違います。分からない場合は、管理者にパスワードの再設定を依頼してください。"
            + (_throttled(next_wait) if next_wait else ""),
            next_wait,
        )
    if store.read_user(engine, user.name).get("disabled_at") is not None:
        _log.warning("sign-in refused at %s for disabled account %r", now.isoformat(), name)
        raise SignInError("このアカウントは無効にされています。必要なら管理者に有効に戻すよう依頼してください。")
    store.clear_sign_in_failures(engine, user.name)
    session.failures, session.last_failed_at = 0, None
    _log.info("sign-in at %s by account %r (%s)", now.isoformat(), user.name, user.role)
    return user


def role_for_identity(settings: Mapping, claims: Mapping) -> str | None:
    """The role of a person signed in through the city's identity provider, or None (viewer).

    `settings` is the `[dashboard]` section of secrets: `roles` maps e-mail addresses to editor or
    admin, `editors` lists editors (the older form); with neither, everyone the provider lets in may
    edit. Only exact addresses count, and only when the provider says the address is verified.
    """
    email = claims.get("email")
    if not email or claims.get("email_verified") is not True:
        return None
    roles = dict(settings.get("roles") or {})
    if roles.get(email) in ROLES:
        return roles[email]
    editors = settings.get("editors")
    if editors is None and not roles:
        return EDITOR
    return EDITOR if email in (editors or []) else None


def departments_for_identity(settings: Mapping, claims: Mapping) -> tuple[str, ...]:
    """The 担当課 of a person signed in through the identity provider, from the claim that
    `[dashboard] department_claim` names (a text or a list); none when no claim is named or given."""
    claim = settings.get("department_claim")
    value = claims.get(claim) if claim else None
    if value is None:
        return ()
    return _clean_departments([value] if isinstance(value, str) else list(value))


def _clean_departments(departments: Sequence[str]) -> tuple[str, ...]:
    """Names trimmed, blanks and repeats dropped, in the order given."""
    return tuple(dict.fromkeys(name for name in (str(d).strip() for d in departments) if name))


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"パスワードは {MIN_PASSWORD_LENGTH} 文字以上にしてください。")
    return _HASHER.hash(password)


def _wait(failures: int, last_failed_at: datetime | None, now: datetime) -> float:
    """Seconds still to wait before the next attempt: none for the first few failures, then doubling."""
    if failures < FREE_FAILURES or last_failed_at is None:
        return 0.0
    delay = min(2.0 ** (failures - FREE_FAILURES), MAX_WAIT_SECONDS)
    return max(0.0, delay - (now - last_failed_at).total_seconds())


def _throttled(wait: float) -> str:
    return f"ログインの失敗が続いたため、{math.ceil(wait)} 秒待ってからもう一度お試しください。"
