"""Readiness of a SQL database: one query reads its schema revision, compared with this version's head."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from sqlalchemy.ext.asyncio import AsyncEngine

from flagcore.adapters.sqlalchemy._errors import FailureKind, classify
from flagcore.adapters.sqlalchemy.migrate import current_revision, head_revision, known_revisions
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.readiness import DatabaseProbe, DatabaseState

#: A ready answer is reused this long: probes every second or so then cost the database one query per few seconds.
READY_CACHE_S: Final = 5.0
#: A failure is reused only briefly, so that recovery shows at once, but a probe storm still costs one connect a second.
FAILURE_CACHE_S: Final = 1.0
# What a public probe may say about each failure: its kind, never the driver's message (names, hosts).
_PUBLIC: Final = {
    FailureKind.UNKNOWN_DATABASE: "the database does not exist",
    FailureKind.AUTHENTICATION: "the database refused the credentials",
    FailureKind.SCHEMA_MISSING: "the database is not migrated: run `flagcore migrate`",
    FailureKind.SQLITE_UNREADABLE: "the SQLite database file cannot be opened",
    FailureKind.UNREACHABLE: "the database cannot be reached",
    FailureKind.OTHER: "the database failed",
}


class SqlDatabaseProbe(DatabaseProbe):
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ready_cache_s: float = READY_CACHE_S,
        failure_cache_s: float = FAILURE_CACHE_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._ready_cache_s = ready_cache_s
        self._failure_cache_s = failure_cache_s
        self._monotonic = monotonic
        self._head = head_revision()
        self._known = known_revisions()
        self._last: tuple[float, DatabaseState] | None = None

    async def check(self) -> DatabaseState:
        now = self._monotonic()
        if self._last is not None:
            at, state = self._last
            if now - at < (self._ready_cache_s if state.ready else self._failure_cache_s):
                return state
        state = await self._probe()
        self._last = (self._monotonic(), state)
        return state

    async def _probe(self) -> DatabaseState:
        head = self._head
        try:
            revision = await current_revision(self._engine)
        except BackendUnavailableError as exc:
            kind = FailureKind(exc.kind) if exc.kind else classify(exc.__cause__ or exc).kind
            return DatabaseState(ready=False, detail=_PUBLIC[kind], head=head, cause=exc.reason)
        if revision == head:
            return DatabaseState(ready=True, detail=f"at {revision} (head)", revision=revision, head=head)
        if revision is not None and revision not in self._known:
            detail = f"at {revision}, newer than this version's {head} (migrations are additive)"
            return DatabaseState(ready=True, detail=detail, revision=revision, head=head)
        detail = f"at {revision or 'no revision'}, this version needs {head}: run `flagcore migrate`"
        return DatabaseState(ready=False, detail=detail, revision=revision, head=head)
