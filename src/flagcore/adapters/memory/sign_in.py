"""In-memory ``SessionStore`` and ``PasswordStore``: one process only (dev runs, tests, the contract reference)."""

from __future__ import annotations

from datetime import datetime

from flagcore.domain.identity.sign_in import SignInFailures, UiSession
from flagcore.ports.sign_in import PasswordStore, SessionStore


class MemorySessionStore(SessionStore):
    def __init__(self) -> None:
        # No method awaits while touching the dict: each call is atomic under asyncio.
        self._sessions: dict[str, UiSession] = {}

    async def add(self, session: UiSession) -> None:
        self._sessions[session.token_hash] = session

    async def get(self, token_hash: str) -> UiSession | None:
        return self._sessions.get(token_hash)

    async def remove(self, token_hash: str) -> None:
        self._sessions.pop(token_hash, None)

    async def remove_for_user(self, user_id: int) -> int:
        gone = [token for token, session in self._sessions.items() if session.user_id == user_id]
        for token in gone:
            del self._sessions[token]
        return len(gone)


class MemoryPasswordStore(PasswordStore):
    def __init__(self) -> None:
        self._hashes: dict[int, str] = {}
        self._failures: dict[str, SignInFailures] = {}

    async def get_hash(self, user_id: int) -> str | None:
        return self._hashes.get(user_id)

    async def set_hash(self, user_id: int, password_hash: str) -> None:
        self._hashes[user_id] = password_hash

    async def failures(self, email: str) -> SignInFailures | None:
        return self._failures.get(email)

    async def record_failure(self, email: str, since: datetime) -> SignInFailures:
        stored = self._failures.get(email)
        count = stored.count + 1 if stored is not None and stored.since == since else 1
        self._failures[email] = SignInFailures(count=count, since=since)
        return self._failures[email]

    async def clear_failures(self, email: str) -> None:
        self._failures.pop(email, None)
