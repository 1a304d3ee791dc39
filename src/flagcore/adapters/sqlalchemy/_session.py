"""Where a SQL repository runs its statements: a short transaction of its own per call, or a unit of work's.

Repositories are written once against :class:`SessionScope`. Built over a session factory (the app's shared
repositories) every call opens, commits and closes its own transaction; built by a unit of work, every call runs in
the unit's transaction, which the unit commits or rolls back as a whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

SessionScope = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def own_transactions(sessions: async_sessionmaker[AsyncSession]) -> SessionScope:
    """Each use opens a transaction that commits when the block ends (or rolls back on an exception)."""
    return sessions.begin


def shared_transaction(session: AsyncSession) -> SessionScope:
    """Each use runs in ``session``'s transaction; committing it is its owner's business."""

    @contextlib.asynccontextmanager
    async def scope() -> AsyncIterator[AsyncSession]:
        yield session

    return scope


def session_scope(source: async_sessionmaker[AsyncSession] | SessionScope) -> SessionScope:
    """A scope from a session factory (own transactions) or an existing scope."""
    return own_transactions(source) if isinstance(source, async_sessionmaker) else source
