"""``ProjectRepo`` that remembers credential lookups (public token, secret key) for a few seconds.

Every SDK request carries one of them, so without this each ``/flags`` call and each definitions poll would pay a
database round trip before any work. The price is bounded staleness: a key revoked or a project deleted elsewhere
is still honoured here for at most ``ttl_s``; lookups that found nothing are kept for ``miss_ttl_s``, so a flood of
random tokens cannot reach the database more than once per token and window. The cache holds no data of its own.

When the database is unavailable, a credential this process has seen resolves to the project it last resolved to,
however old (stale-if-error), and the database is tried again once per ``ttl_s`` rather than once per request:
evaluation keeps serving from the snapshot tiers through an outage. A credential never seen here still fails
with ``BackendUnavailableError`` (503), so a process started during an outage cannot authenticate until the
database is back.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final

from flagcore.adapters.cached.last_known import LastKnown, StaleServed
from flagcore.domain.identity import Project, ProjectSecretKey
from flagcore.ports.identity import ProjectCredentialCache, ProjectRepo

DEFAULT_TTL_S: Final = 5.0
DEFAULT_MISS_TTL_S: Final = 1.0
# Bounded so that random credentials cannot grow the process: the whole table is dropped when full (cheap, rare).
MAX_ENTRIES: Final = 10_000
_Table = dict[str, tuple[float, Project | None]]


class CachedProjectRepo(ProjectRepo, ProjectCredentialCache):
    def __init__(
        self,
        inner: ProjectRepo,
        *,
        ttl_s: float = DEFAULT_TTL_S,
        miss_ttl_s: float = DEFAULT_MISS_TTL_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._ttl_s = ttl_s
        self._miss_ttl_s = miss_ttl_s
        self._monotonic = monotonic
        self._by_token: _Table = {}
        self._by_secret: _Table = {}
        self._stale = StaleServed("project")
        # The last answers of the store, kept apart from the TTL tables above: those are dropped whole when full.
        self._known_tokens: LastKnown[str, Project] = LastKnown(self._stale)
        self._known_secrets: LastKnown[str, Project] = LastKnown(self._stale)
        self._known_ids: LastKnown[int, Project] = LastKnown(self._stale)

    @property
    def stale_served(self) -> int:
        """Lookups answered from the last known project because the store was unavailable."""
        return self._stale.count

    async def get_by_api_token(self, api_token: str) -> Project | None:
        return await self._lookup(self._by_token, self._known_tokens, api_token, self._inner.get_by_api_token)

    async def get_by_secret_key(self, secure_value: str) -> Project | None:
        return await self._lookup(self._by_secret, self._known_secrets, secure_value, self._inner.get_by_secret_key)

    async def create(
        self, *, organization_id: str, name: str, api_token: str, timezone: str, created_at: datetime
    ) -> Project:
        project = await self._inner.create(
            organization_id=organization_id, name=name, api_token=api_token, timezone=timezone, created_at=created_at
        )
        self._by_token.pop(api_token, None)  # a cached miss must not hide the new project
        return project

    async def add_secret_key(self, key: ProjectSecretKey) -> None:
        await self._inner.add_secret_key(key)
        self._by_secret.pop(key.secure_value, None)

    async def get(self, project_id: int) -> Project | None:
        # Always read through (management reads want the current row); the copy serves only during an outage.
        return await self._known_ids.load(project_id, lambda: self._inner.get(project_id))

    async def list_for_organization(self, organization_id: str) -> list[Project]:
        return await self._inner.list_for_organization(organization_id)

    async def update(self, project: Project) -> None:
        await self._inner.update(project)
        self.forget_project(project.id)

    async def list_secret_keys(self, project_id: int) -> list[ProjectSecretKey]:
        return await self._inner.list_secret_keys(project_id)

    async def remove_secret_key(self, project_id: int, key_id: str) -> bool:
        removed = await self._inner.remove_secret_key(project_id, key_id)
        self.forget_project(project_id)
        return removed

    def forget_project(self, project_id: int) -> None:
        # A rotated token or revoked key must stop working at once, even during an outage: both the TTL tables and
        # the last known answers lose every credential of the project (the next lookup reads the store).
        def owned(entry: tuple[float, Project | None]) -> bool:
            return entry[1] is not None and entry[1].id == project_id

        for table in (self._by_token, self._by_secret):
            for credential in [c for c, entry in table.items() if owned(entry)]:
                del table[credential]
        for known in (self._known_tokens, self._known_secrets, self._known_ids):
            known.forget_where(lambda p: p.id == project_id)

    async def _lookup(
        self,
        table: _Table,
        known: LastKnown[str, Project],
        credential: str,
        load: Callable[[str], Awaitable[Project | None]],
    ) -> Project | None:
        now = self._monotonic()
        cached = table.get(credential)
        if cached is not None and now < cached[0]:
            return cached[1]
        # A stale answer is kept for the TTL as well: an unavailable store is retried per window, not per request.
        project = await known.load(credential, lambda: load(credential))
        if project is not None:
            self._known_ids.remember(project.id, project)
        if len(table) >= MAX_ENTRIES:
            table.clear()
        table[credential] = (now + (self._ttl_s if project is not None else self._miss_ttl_s), project)
        return project
