import pytest
from sqlalchemy.engine import Engine

from analytics import store
from analytics.accounts import AccountError, authenticate, create_user


def test_a_signed_in_editor_is_recognised_by_name_and_password(empty_engine: Engine) -> None:
    create_user(empty_engine, "山田", "correct horse", "editor")
    user = authenticate(empty_engine, "山田", "correct horse")
    assert user is not None
    assert (user.name, user.is_editor) == ("山田", True)
    assert authenticate(empty_engine, "山田", "wrong horse") is None
    assert authenticate(empty_engine, "鈴木", "correct horse") is None


def test_only_a_salted_argon2_hash_is_stored(empty_engine: Engine) -> None:
    for name in ("山田", "佐藤"):
        create_user(empty_engine, name, "same password")
    hashes = [store.read_user(empty_engine, name)["password_hash"] for name in ("山田", "佐藤")]
    assert all(h.startswith("$argon2id$") and "same password" not in h for h in hashes)
    assert hashes[0] != hashes[1]


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [("", "long enough", "ユーザー名を入力してください"), ("山田", "short", "8 文字以上")],
)
def test_unusable_name_or_password_is_refused(empty_engine: Engine, name: str, password: str, message: str) -> None:
    with pytest.raises(AccountError, match=message):
        create_user(empty_engine, name, password)


def test_a_name_cannot_be_taken_twice(empty_engine: Engine) -> None:
    create_user(empty_engine, "山田", "long enough")
    with pytest.raises(store.StoreError, match="既に登録されています"):
        create_user(empty_engine, "山田", "another one")
