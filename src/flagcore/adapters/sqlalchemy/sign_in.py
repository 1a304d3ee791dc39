"""SQL ``SessionStore`` and ``PasswordStore`` (SQLite and PostgreSQL): sessions every instance sees."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import upsert, upsert_returning
from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_sign_in import SignInFailureRow, UiSessionRow, UserPasswordRow
from flagcore.domain.identity.sign_in import SignInFailures, UiSession
from flagcore.ports.sign_in import PasswordStore, SessionStore


class SqlSessionStore(SessionStore):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def add(self, session: UiSession) -> None:
        with backend_errors():
            async with self._session() as db:
                db.add(
                    UiSessionRow(
                        token_hash=session.token_hash,
                        user_id=session.user_id,
                        csrf_token=session.csrf_token,
                        created_at=session.created_at,
                        expires_at=session.expires_at,
                    )
                )

    async def get(self, token_hash: str) -> UiSession | None:
        with backend_errors():
            async with self._session() as db:
                row = await db.get(UiSessionRow, token_hash)
                if row is None:
                    return None
                return UiSession(
                    token_hash=row.token_hash,
                    user_id=row.user_id,
                    csrf_token=row.csrf_token,
                    created_at=row.created_at,
                    expires_at=row.expires_at,
                )

    async def remove(self, token_hash: str) -> None:
        with backend_errors():
            async with self._session() as db:
                await db.execute(sa.delete(UiSessionRow).where(UiSessionRow.token_hash == token_hash))

    async def remove_for_user(self, user_id: int) -> int:
        with backend_errors():
            async with self._session() as db:
                result = await db.execute(sa.delete(UiSessionRow).where(UiSessionRow.user_id == user_id))
                return int(result.rowcount or 0)  # type: ignore[attr-defined]  # a DML result has rowcount


class SqlPasswordStore(PasswordStore):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def get_hash(self, user_id: int) -> str | None:
        with backend_errors():
            async with self._session() as db:
                row = await db.get(UserPasswordRow, user_id)
                return row.password_hash if row is not None else None

    async def set_hash(self, user_id: int, password_hash: str) -> None:
        with backend_errors():
            async with self._session() as db:
                values = {"user_id": user_id, "password_hash": password_hash}
                await db.execute(
                    upsert(
                        db,
                        UserPasswordRow,
                        values,
                        index_elements=["user_id"],
                        set_=lambda _proposed: {"password_hash": password_hash},
                    )
                )

    async def failures(self, email: str) -> SignInFailures | None:
        with backend_errors():
            async with self._session() as db:
                row = await db.get(SignInFailureRow, email)
                return SignInFailures(count=row.count, since=row.since) if row is not None else None

    async def record_failure(self, email: str, since: datetime) -> SignInFailures:
        row = SignInFailureRow.__table__
        with backend_errors():
            async with self._session() as db:
                # One statement: concurrent failures of the same window all count, a new window restarts at 1.
                # ("count" before "since": MySQL's assignments see the ones before them.)
                stmt = upsert(
                    db,
                    SignInFailureRow,
                    {"email": email, "count": 1, "since": since},
                    index_elements=["email"],
                    set_=lambda _proposed: {
                        "count": sa.case((row.c.since == since, row.c.count + 1), else_=1),
                        "since": since,
                    },
                )
                stored = await upsert_returning(
                    db, stmt, SignInFailureRow, sa.select(SignInFailureRow).where(SignInFailureRow.email == email)
                )
                return SignInFailures(count=int(stored.count), since=stored.since)

    async def clear_failures(self, email: str) -> None:
        with backend_errors():
            async with self._session() as db:
                await db.execute(sa.delete(SignInFailureRow).where(SignInFailureRow.email == email))
