"""Contract of ``SessionStore`` and ``PasswordStore`` (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from flagcore.domain.identity.sign_in import SignInFailures, UiSession
from tests.contract.seed import OTHER_USER_ID, SEEDED_AT, USER_ID
from tests.contract.sign_in.conftest import Stores


def _session(token_hash: str, user_id: int = USER_ID) -> UiSession:
    return UiSession(
        token_hash=token_hash,
        user_id=user_id,
        csrf_token=f"csrf-{token_hash}",
        created_at=SEEDED_AT,
        expires_at=SEEDED_AT + timedelta(days=7),
    )


async def test_a_session_is_found_by_its_hash_until_removed(sign_in_stores: Stores) -> None:
    sessions, _ = sign_in_stores
    await sessions.add(_session("sha256$a"))
    assert await sessions.get("sha256$a") == _session("sha256$a")
    assert await sessions.get("sha256$b") is None
    await sessions.remove("sha256$a")
    assert await sessions.get("sha256$a") is None
    await sessions.remove("sha256$a")  # removing twice does nothing


async def test_removing_a_users_sessions_leaves_the_others(sign_in_stores: Stores) -> None:
    sessions, _ = sign_in_stores
    for token, user in (("sha256$1", USER_ID), ("sha256$2", USER_ID), ("sha256$3", OTHER_USER_ID)):
        await sessions.add(_session(token, user))
    assert await sessions.remove_for_user(USER_ID) == 2
    assert await sessions.get("sha256$1") is None
    assert await sessions.get("sha256$3") == _session("sha256$3", OTHER_USER_ID)


async def test_a_password_hash_is_set_and_replaced(sign_in_stores: Stores) -> None:
    _, passwords = sign_in_stores
    assert await passwords.get_hash(USER_ID) is None
    await passwords.set_hash(USER_ID, "$argon2id$one")
    await passwords.set_hash(USER_ID, "$argon2id$two")
    assert await passwords.get_hash(USER_ID) == "$argon2id$two"
    assert await passwords.get_hash(OTHER_USER_ID) is None


async def test_failures_count_within_their_window_and_restart_with_a_new_one(sign_in_stores: Stores) -> None:
    _, passwords = sign_in_stores
    assert await passwords.failures("a@example.com") is None
    assert await passwords.record_failure("a@example.com", SEEDED_AT) == SignInFailures(count=1, since=SEEDED_AT)
    assert await passwords.record_failure("a@example.com", SEEDED_AT) == SignInFailures(count=2, since=SEEDED_AT)
    later = SEEDED_AT + timedelta(hours=1)
    assert await passwords.record_failure("a@example.com", later) == SignInFailures(count=1, since=later)
    assert await passwords.failures("b@example.com") is None
    await passwords.clear_failures("a@example.com")
    assert await passwords.failures("a@example.com") is None


async def test_concurrent_failures_all_count(sign_in_stores: Stores) -> None:
    _, passwords = sign_in_stores
    await passwords.record_failure("a@example.com", SEEDED_AT)
    await asyncio.gather(*(passwords.record_failure("a@example.com", SEEDED_AT) for _ in range(8)))
    assert await passwords.failures("a@example.com") == SignInFailures(count=9, since=SEEDED_AT)
