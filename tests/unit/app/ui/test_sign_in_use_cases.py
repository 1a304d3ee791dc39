"""Sign-in use cases over memory stores and a fixed clock: sessions expire, lockouts end, passwords end sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagcore.adapters.crypto.argon2_hasher import Argon2PasswordHasher
from flagcore.adapters.memory import FixedClock, MemoryUserRepo
from flagcore.adapters.memory.sign_in import MemoryPasswordStore, MemorySessionStore
from flagcore.app.identity.sign_in import CurrentSession, SetPassword, SignIn
from flagcore.domain.identity.sign_in import (
    FAILURE_WINDOW,
    MAX_FAILED_SIGN_INS,
    SESSION_LIFETIME,
    BadCredentialsError,
    TooManyAttemptsError,
)

START = datetime(2026, 12, 3, 12, tzinfo=UTC)


class Stack:
    def __init__(self) -> None:
        self.clock = FixedClock(START)
        self.users = MemoryUserRepo()
        self.passwords = MemoryPasswordStore()
        self.sessions = MemorySessionStore()
        hasher = Argon2PasswordHasher()
        self.sign_in = SignIn(self.users, self.passwords, self.sessions, hasher, self.clock)
        self.current = CurrentSession(self.users, self.sessions, self.clock)
        self.set_password = SetPassword(self.users, self.passwords, self.sessions, hasher)


@pytest.fixture
async def stack() -> Stack:
    made = Stack()
    user = await made.users.create(
        uuid="u-1", email="Jo@Example.com", first_name="Jo", distinct_id="d-1", created_at=START
    )
    await made.set_password.execute(user.id, "a-good-password")
    return made


async def test_a_session_lives_until_it_expires(stack: Stack) -> None:
    signed = await stack.sign_in.execute(" jo@example.COM ", "a-good-password")
    assert signed.token not in signed.session.token_hash  # only the hash is stored
    found = await stack.current.execute(signed.token)
    assert found is not None
    assert found[1].email == "Jo@Example.com"
    stack.clock.advance(SESSION_LIFETIME)
    assert await stack.current.execute(signed.token) is None
    assert await stack.sessions.get(signed.session.token_hash) is None  # an expired session is removed


async def test_a_new_password_ends_the_users_sessions(stack: Stack) -> None:
    signed = await stack.sign_in.execute("jo@example.com", "a-good-password")
    await stack.set_password.execute(signed.user.id, "another-password")
    assert await stack.current.execute(signed.token) is None
    with pytest.raises(BadCredentialsError):
        await stack.sign_in.execute("jo@example.com", "a-good-password")


async def test_the_lockout_ends_with_its_window(stack: Stack) -> None:
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(BadCredentialsError):
            await stack.sign_in.execute("jo@example.com", "wrong")
    with pytest.raises(TooManyAttemptsError):
        await stack.sign_in.execute("jo@example.com", "a-good-password")
    stack.clock.advance(FAILURE_WINDOW - timedelta(seconds=1))
    with pytest.raises(TooManyAttemptsError):
        await stack.sign_in.execute("jo@example.com", "a-good-password")
    stack.clock.advance(timedelta(seconds=1))
    assert (await stack.sign_in.execute("jo@example.com", "a-good-password")).user.email == "Jo@Example.com"
    assert await stack.passwords.failures("jo@example.com") is None  # cleared by the success


async def test_unknown_tokens_and_emails(stack: Stack) -> None:
    assert await stack.current.execute(None) is None
    assert await stack.current.execute("not-a-session") is None
    with pytest.raises(BadCredentialsError):
        await stack.sign_in.execute("nobody@example.com", "a-good-password")
    assert (await stack.passwords.failures("nobody@example.com")) is not None  # counted like any other email
