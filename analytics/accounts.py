"""Local editor accounts: salted Argon2 password hashes (argon2-cffi), kept in the store's users table."""

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from analytics import store

EDITOR = "editor"
ROLES = (EDITOR,)
MIN_PASSWORD_LENGTH = 8

_HASHER = PasswordHasher()
# Verifying against this when the name is unknown takes as long as a real check, so response
# times do not tell which names exist.
_DUMMY_HASH = _HASHER.hash("no such user")


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message is Japanese."""


@dataclass(frozen=True)
class User:
    """A signed-in person: the name the batch history records, and what they may do."""

    name: str
    role: str

    @property
    def is_editor(self) -> bool:
        return self.role == EDITOR


def create_user(engine: Engine, name: str, password: str, role: str = EDITOR) -> User:
    """Store a new account with a salted hash of its password (never the password itself)."""
    name = name.strip()
    if not name:
        raise AccountError("ユーザー名を入力してください。")
    if role not in ROLES:
        raise AccountError(f"役割は {'、'.join(ROLES)} のいずれかにしてください。")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"パスワードは {MIN_PASSWORD_LENGTH} 文字以上にしてください。")
    store.add_user(engine, name, _HASHER.hash(password), role)
    return User(name=name, role=role)


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The account if name and password match, else None (the same answer for either mistake)."""
    account = store.read_user(engine, name.strip())
    try:
        _HASHER.verify(account["password_hash"] if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(name=account["name"], role=account["role"]) if account else None
