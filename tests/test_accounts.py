import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy.engine import Engine

from analytics import accounts, store
from analytics.accounts import (
    ADMIN,
    EDITOR,
    AccountError,
    SessionFailures,
    SignInError,
    User,
    authenticate,
    create_user,
    departments_for_identity,
    reset_password,
    role_for_identity,
    set_departments,
    set_disabled,
    sign_in,
    tabulate_accounts,
)


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


class _Clock:
    """A fake clock that only moves when the test says so."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _fail(engine: Engine, session: SessionFailures, clock: _Clock, times: int, name: str = "山田") -> list[str]:
    messages = []
    for _ in range(times):
        with pytest.raises(SignInError) as refused:
            sign_in(engine, name, "wrong horse", session, clock=clock)
        messages.append(str(refused.value))
    return messages


def test_after_five_failures_the_next_attempt_waits_and_is_refused_without_verifying(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user(empty_engine, "山田", "correct horse")
    clock, session = _Clock(), SessionFailures()
    messages = _fail(empty_engine, session, clock, 5)
    assert (
        messages[0]
        == "ユーザー名かパスワードが違います。分からない場合は、管理者にパスワードの再設定を依頼してください。"
    )
    assert messages[-1].endswith("ログインの失敗が続いたため、1 秒待ってからもう一度お試しください。")
    verified = []
    monkeypatch.setattr(accounts, "authenticate", lambda *arguments: verified.append(arguments))
    with pytest.raises(SignInError, match="1 秒待ってから") as refused:
        sign_in(empty_engine, "山田", "correct horse", session, clock=clock)
    assert (verified, refused.value.wait_seconds) == ([], 1.0)
    monkeypatch.undo()
    clock.advance(1)
    assert sign_in(empty_engine, "山田", "correct horse", session, clock=clock) == User("山田", "editor")
    assert store.read_sign_in_failures(empty_engine, "山田") == (0, None)


@pytest.mark.parametrize(("failures", "wait"), [(5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (20, 60)])
def test_the_wait_doubles_and_is_capped_at_a_minute(empty_engine: Engine, failures: int, wait: int) -> None:
    clock = _Clock()
    for _ in range(failures):
        store.record_sign_in_failure(empty_engine, "山田", clock())
    with pytest.raises(SignInError) as refused:
        sign_in(empty_engine, "山田", "anything", SessionFailures(), clock=clock)
    assert refused.value.wait_seconds == wait


def test_failures_count_per_account_across_sessions(empty_engine: Engine) -> None:
    create_user(empty_engine, "山田", "correct horse")
    clock = _Clock()
    for _ in range(5):
        _fail(empty_engine, SessionFailures(), clock, 1)  # a new browser session each time
    with pytest.raises(SignInError, match="1 秒待ってから"):
        sign_in(empty_engine, "山田", "correct horse", SessionFailures(), clock=clock)


def test_failures_count_per_session_across_accounts(empty_engine: Engine) -> None:
    create_user(empty_engine, "山田", "correct horse")
    clock, session = _Clock(), SessionFailures()
    for name in ("a", "b", "c", "d", "e"):
        _fail(empty_engine, session, clock, 1, name)
    with pytest.raises(SignInError, match="1 秒待ってから"):
        sign_in(empty_engine, "山田", "correct horse", session, clock=clock)


def test_sign_ins_and_failures_are_logged_with_time_and_account(
    empty_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    create_user(empty_engine, "山田", "correct horse")
    clock = _Clock()
    caplog.set_level(logging.INFO, logger="analytics.accounts")
    _fail(empty_engine, SessionFailures(), clock, 1)
    sign_in(empty_engine, "山田", "correct horse", SessionFailures(), clock=clock)
    assert caplog.messages == [
        "sign-in failed at 2026-11-24T09:00:00+00:00 for account '山田'",
        "sign-in at 2026-11-24T09:00:00+00:00 by account '山田' (editor)",
    ]


def test_a_disabled_account_cannot_sign_in_until_enabled_and_a_reset_password_works(empty_engine: Engine) -> None:
    create_user(empty_engine, "山田", "correct horse", ADMIN)
    set_disabled(empty_engine, "山田", True)
    with pytest.raises(SignInError, match="このアカウントは無効にされています"):
        sign_in(empty_engine, "山田", "correct horse", SessionFailures())
    set_disabled(empty_engine, "山田", False)
    reset_password(empty_engine, "山田", "battery staple")
    with pytest.raises(SignInError):
        sign_in(empty_engine, "山田", "correct horse", SessionFailures())
    user = sign_in(empty_engine, "山田", "battery staple", SessionFailures())
    assert (user.is_editor, user.is_admin, user.role_label) == (True, True, "管理者")


def test_the_account_list_shows_role_and_state_never_the_hash(empty_engine: Engine) -> None:
    create_user(empty_engine, "山田", "correct horse", ADMIN)
    create_user(empty_engine, "佐藤", "correct horse", EDITOR)
    set_disabled(empty_engine, "佐藤", True)
    table = tabulate_accounts(empty_engine)
    assert table[["ユーザー名", "役割", "状態"]].values.tolist() == [
        ["佐藤", "編集者", "無効"],
        ["山田", "管理者", "有効"],
    ]
    assert list(table.columns) == ["ユーザー名", "役割", "担当課", "状態", "作成日時"]


def test_an_accounts_departments_are_kept_shown_and_carried_by_its_sign_in(empty_engine: Engine) -> None:
    create_user(empty_engine, "佐藤", "correct horse", EDITOR, [" 広報課", "", "参画協働課", "広報課"])
    create_user(empty_engine, "山田", "correct horse", EDITOR)
    assert sign_in(empty_engine, "佐藤", "correct horse", SessionFailures()).departments == ("広報課", "参画協働課")
    set_departments(empty_engine, "佐藤", ["市民課"])
    set_departments(empty_engine, "山田", ["広報課"])
    table = tabulate_accounts(empty_engine)
    assert table[["ユーザー名", "担当課"]].values.tolist() == [["佐藤", "市民課"], ["山田", "広報課"]]
    set_departments(empty_engine, "山田", [])
    assert tabulate_accounts(empty_engine)["担当課"].tolist() == ["市民課", "（すべて）"]
    assert sign_in(empty_engine, "山田", "correct horse", SessionFailures()).departments == ()


@pytest.mark.parametrize(
    ("role", "departments", "department", "allowed"),
    [
        (ADMIN, ("広報課",), "市民課", True),
        (EDITOR, (), "市民課", True),
        (EDITOR, ("広報課", "市民課"), "市民課", True),
        (EDITOR, ("広報課",), "市民課", False),
        (EDITOR, ("広報課",), "担当課未設定", False),
    ],
)
def test_an_editor_with_departments_reports_only_for_them(
    role: str, departments: tuple, department: str, allowed: bool
) -> None:
    assert User("佐藤", role, departments).may_report_for(department) is allowed


@pytest.mark.parametrize(
    ("settings", "claims", "departments"),
    [
        ({}, {"email": "a@city.example.jp", "department": "広報課"}, ()),
        ({"department_claim": "department"}, {"email": "a@city.example.jp"}, ()),
        ({"department_claim": "department"}, {"department": " 広報課 "}, ("広報課",)),
        ({"department_claim": "groups"}, {"groups": ["広報課", "市民課", "広報課"]}, ("広報課", "市民課")),
    ],
)
def test_identity_provider_claim_names_the_departments_where_the_settings_say_which(
    settings: dict, claims: dict, departments: tuple
) -> None:
    assert departments_for_identity(settings, claims) == departments


ROLES_SETTINGS = {"roles": {"kato@city.example.jp": "admin", "ito@city.example.jp": "editor"}}


@pytest.mark.parametrize(
    ("settings", "claims", "role"),
    [
        ({}, {"email": "a@city.example.jp", "email_verified": True}, EDITOR),
        ({}, {"email": "a@city.example.jp", "email_verified": False}, None),
        ({}, {"email": "a@city.example.jp"}, None),
        ({"editors": ["yamada@city.example.jp"]}, {"email": "yamada@city.example.jp", "email_verified": True}, EDITOR),
        ({"editors": ["yamada@city.example.jp"]}, {"email": "Yamada@city.example.jp", "email_verified": True}, None),
        ({"editors": ["yamada@city.example.jp"]}, {"email": "sato@city.example.jp", "email_verified": True}, None),
        (ROLES_SETTINGS, {"email": "kato@city.example.jp", "email_verified": True}, ADMIN),
        (ROLES_SETTINGS, {"email": "ito@city.example.jp", "email_verified": True}, EDITOR),
        (ROLES_SETTINGS, {"email": "kato@city.example.jp.evil", "email_verified": True}, None),
        (ROLES_SETTINGS, {"email": "sato@city.example.jp", "email_verified": True}, None),
        (ROLES_SETTINGS, {"email": "kato@city.example.jp", "email_verified": "true"}, None),
    ],
)
def test_identity_provider_addresses_map_to_roles_exactly_and_only_when_verified(
    settings: dict, claims: dict, role: str | None
) -> None:
    assert role_for_identity(settings, claims) == role


def test_at_most_two_password_checks_run_at_once(empty_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    running, peak, lock = [0], [0], threading.Lock()

    def slow_verify(_hash: str, _password: str) -> bool:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return True

    monkeypatch.setattr(accounts, "_HASHER", SimpleNamespace(verify=slow_verify))
    threads = [threading.Thread(target=authenticate, args=(empty_engine, f"user{i}", "x")) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == accounts.MAX_CONCURRENT_VERIFICATIONS == 2
