"""Use cases of the admin UI's sign-in: sign in, resolve a session, sign out, set a password."""

from __future__ import annotations

import asyncio
import secrets

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import User, hash_secret
from flagcore.domain.identity.sign_in import (
    SESSION_LIFETIME,
    BadCredentialsError,
    TooManyAttemptsError,
    UiSession,
    lockout_left,
    validate_password,
    window_start,
)
from flagcore.ports.clock import Clock
from flagcore.ports.identity import UserRepo
from flagcore.ports.sign_in import PasswordHasher, PasswordStore, SessionStore

#: Verified when the email is unknown, so that a wrong email costs the same time as a wrong password.
_DUMMY_PASSWORD = "not-a-password-of-anyone"  # noqa: S105 - a decoy, not a credential


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    """A new session: ``token`` goes into the cookie and is never stored; ``session`` is what the server keeps."""

    token: str
    session: UiSession
    user: User


class SignIn:
    def __init__(
        self, users: UserRepo, passwords: PasswordStore, sessions: SessionStore, hasher: PasswordHasher, clock: Clock
    ) -> None:
        self._users = users
        self._passwords = passwords
        self._sessions = sessions
        self._hasher = hasher
        self._clock = clock
        self._dummy_hash: str | None = None

    async def execute(self, email: str, password: str) -> SignedIn:
        """A session for the user with this email and password.

        Raises:
            TooManyAttemptsError: too many failures for this email in the window (no password is checked).
            BadCredentialsError: unknown email, no password set, or a wrong password (one message for all).
        """
        key = email.strip().lower()
        now = self._clock.now()
        failures = await self._passwords.failures(key)
        left = lockout_left(failures, now)
        if left is not None:
            raise TooManyAttemptsError(left)
        user = await self._users.get_by_email(key) if key else None
        stored = await self._passwords.get_hash(user.id) if user is not None else None
        if user is None or stored is None:
            await asyncio.to_thread(self._hasher.verify, await self._dummy(), password)
            await self._passwords.record_failure(key, window_start(failures, now))
            raise BadCredentialsError
        # Argon2 takes tens of milliseconds of CPU: in a thread, so the event loop keeps serving /flags meanwhile.
        if not await asyncio.to_thread(self._hasher.verify, stored, password):
            await self._passwords.record_failure(key, window_start(failures, now))
            raise BadCredentialsError
        await self._passwords.clear_failures(key)
        token = secrets.token_urlsafe(32)
        session = UiSession(
            token_hash=hash_secret(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
        await self._sessions.add(session)
        return SignedIn(token=token, session=session, user=user)

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await asyncio.to_thread(self._hasher.hash, _DUMMY_PASSWORD)
        return self._dummy_hash


class CurrentSession:
    def __init__(self, users: UserRepo, sessions: SessionStore, clock: Clock) -> None:
        self._users = users
        self._sessions = sessions
        self._clock = clock

    async def execute(self, token: str | None) -> tuple[UiSession, User] | None:
        """The live session the cookie's token names and its user; None when signed out or expired."""
        if not token:
            return None
        session = await self._sessions.get(hash_secret(token))
        if session is None:
            return None
        if session.expired(self._clock.now()):
            await self._sessions.remove(session.token_hash)
            return None
        user = await self._users.get(session.user_id)
        return (session, user) if user is not None else None


class SignOut:
    def __init__(self, sessions: SessionStore) -> None:
        self._sessions = sessions

    async def execute(self, token: str) -> None:
        await self._sessions.remove(hash_secret(token))


class SetPassword:
    """Set a user's password; their existing sessions end (a changed password must lock out old browsers)."""

    def __init__(
        self, users: UserRepo, passwords: PasswordStore, sessions: SessionStore, hasher: PasswordHasher
    ) -> None:
        self._users = users
        self._passwords = passwords
        self._sessions = sessions
        self._hasher = hasher

    async def execute(self, user_id: int, password: str) -> None:
        """Raises: InvalidInputError: a password too short or too long (attr ``password``)."""
        validate_password(password)
        await self._passwords.set_hash(user_id, await asyncio.to_thread(self._hasher.hash, password))
        await self._sessions.remove_for_user(user_id)


class EnsurePassword:
    """``flagcore init``: set the given password, or give a user who has none a generated one (shown once)."""

    def __init__(self, passwords: PasswordStore, set_password: SetPassword) -> None:
        self._passwords = passwords
        self._set_password = set_password

    async def execute(self, user_id: int, password: str | None) -> str | None:
        """The generated password, when one was generated now; None otherwise.

        Raises:
            InvalidInputError: ``password`` too short or too long.
        """
        if password is not None:
            await self._set_password.execute(user_id, password)
            return None
        if await self._passwords.get_hash(user_id) is not None:
            return None
        generated = secrets.token_urlsafe(12)
        await self._set_password.execute(user_id, generated)
        return generated


class PasswordAlreadySetError(InvalidInputError):
    def __init__(self) -> None:
        super().__init__(
            "This user already has a password; only they can change it.", code="password_set", attr="password"
        )


class SetInitialPassword:
    """The members API: give a member their first UI password. Never replaces one (that would take the account)."""

    def __init__(self, users: UserRepo, passwords: PasswordStore, set_password: SetPassword) -> None:
        self._users = users
        self._passwords = passwords
        self._set_password = set_password

    async def check(self, email: str, password: str) -> None:
        """Raises InvalidInputError for a bad password, PasswordAlreadySetError for a user who has one."""
        validate_password(password)
        user = await self._users.get_by_email(email.strip().lower())
        if user is not None and await self._passwords.get_hash(user.id) is not None:
            raise PasswordAlreadySetError

    async def execute(self, user_id: int, password: str) -> None:
        if await self._passwords.get_hash(user_id) is not None:
            raise PasswordAlreadySetError
        await self._set_password.execute(user_id, password)
