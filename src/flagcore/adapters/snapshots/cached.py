"""``ProjectSnapshots`` over a ``SnapshotStore``, keeping each snapshot in process memory for a bounded time.

The hot paths (``/flags``, the definitions feed) then cost no tier round trip per request. Staleness is bounded:
a snapshot older than ``refresh_s`` is re-validated on its next use by reading only its ETag from the tiers, and
the bytes are fetched only if the ETag changed. So a write made through another instance is served here within
``refresh_s`` (plus one round trip), or at once when its invalidation message arrives (``forget``). Writes made
through this instance call ``invalidate`` after they commit, so they are served at once, and announce it to the
other instances through the ``InvalidationPublisher``. The evaluation snapshot
is compiled once per ETag. When no tier answers a re-validation (database and caches down), the snapshot already
held keeps being served and is retried a window later. Everything here is derived data: losing it costs one fetch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Final

from flagcore.domain.evaluation import CompiledSnapshot, compile_snapshot
from flagcore.domain.identity import Project
from flagcore.domain.json_limits import check_document_depth
from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind, empty_snapshot, evaluation_timezone
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.invalidations import InvalidationPublisher
from flagcore.ports.snapshot_store import SnapshotStore
from flagcore.ports.snapshots import ProjectSnapshots

DEFAULT_REFRESH_S: Final = 1.0
logger = logging.getLogger(__name__)
_Key = tuple[int, SnapshotKind]


class _Entry:
    __slots__ = ("checked_at", "value")

    def __init__(self, value: EncodedSnapshot, checked_at: float) -> None:
        self.value = value
        self.checked_at = checked_at


class CachedProjectSnapshots(ProjectSnapshots):
    def __init__(
        self,
        cache: SnapshotStore,
        publisher: InvalidationPublisher | None = None,
        *,
        refresh_s: float = DEFAULT_REFRESH_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache = cache
        self._publisher = publisher
        self._refresh_s = refresh_s
        self._monotonic = monotonic
        self._entries: dict[_Key, _Entry] = {}
        self._compiled: dict[int, tuple[str, CompiledSnapshot]] = {}
        # Bumped by invalidate()/forget(): a fetch that started before must not store its (maybe stale) result.
        self._generations: dict[int, int] = {}
        self._inflight: dict[_Key, asyncio.Future[EncodedSnapshot]] = {}

    async def definitions(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        kind = SnapshotKind.DEFINITIONS_WITH_COHORTS if with_cohorts else SnapshotKind.DEFINITIONS
        return await self._current(project, kind)

    async def compiled(self, project: Project) -> CompiledSnapshot:
        snapshot = await self._current(project, SnapshotKind.EVALUATION)
        cached = self._compiled.get(project.id)
        if cached is not None and cached[0] == snapshot.etag:
            return cached[1]
        # Compiled from the cached bytes themselves, in the timezone they carry, so it always matches them.
        check_document_depth(snapshot.body)  # even reading only the timezone walks every nested value
        compiled = compile_snapshot(snapshot.body, timezone=evaluation_timezone(snapshot.body))
        self._compiled[project.id] = (snapshot.etag, compiled)
        return compiled

    async def invalidate(self, project_id: int) -> None:
        self.forget(project_id)
        await self._cache.invalidate(project_id)
        if self._publisher is not None:
            try:
                await self._publisher.publish(project_id)
            except BackendUnavailableError:
                # Best effort: the other instances still converge within their refresh window.
                logger.warning("could not announce the invalidation of project %s", project_id, exc_info=True)

    def forget(self, project_id: int) -> None:
        """Drop this process's copies of the project (another instance changed it); the tiers are left alone."""
        self._generations[project_id] = self._generations.get(project_id, 0) + 1
        for key in [k for k in self._entries if k[0] == project_id]:
            del self._entries[key]

    def forget_all(self) -> None:
        """Drop this process's copies of every project; each is re-validated by ETag on its next use."""
        for project_id in {key[0] for key in self._entries}:
            self.forget(project_id)

    async def _current(self, project: Project, kind: SnapshotKind) -> EncodedSnapshot:
        entry = self._entries.get((project.id, kind))
        if entry is not None and self._monotonic() - entry.checked_at < self._refresh_s:
            return entry.value
        return await self._single_flight((project.id, kind), lambda: self._fetch(project, kind, entry))

    async def _fetch(self, project: Project, kind: SnapshotKind, entry: _Entry | None) -> EncodedSnapshot:
        generation = self._generations.get(project.id, 0)
        try:
            value = await self._validate(project, kind, entry)
        except BackendUnavailableError:
            if entry is None:
                raise
            # No tier can answer: the last snapshot beats a 503. Retried after another window, not per request.
            logger.warning("serving project %s's last %s snapshot: no snapshot tier answered", project.id, kind)
            value = entry.value
        if self._generations.get(project.id, 0) == generation:
            self._entries[project.id, kind] = _Entry(value, self._monotonic())
        return value

    async def _validate(self, project: Project, kind: SnapshotKind, entry: _Entry | None) -> EncodedSnapshot:
        if entry is not None and await self._cache.get_etag(project.id, kind) == entry.value.etag:
            return entry.value  # unchanged: the bytes are not fetched again
        # None: the source knows no such project (deleted since the request was authorized): it has no flags.
        return await self._cache.get(project.id, kind) or empty_snapshot(kind, timezone=project.timezone)

    async def _single_flight(self, key: _Key, fetch: Callable[[], Awaitable[EncodedSnapshot]]) -> EncodedSnapshot:
        # Concurrent requests for an expired snapshot share one fetch instead of stampeding the tiers.
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[EncodedSnapshot] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await fetch()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here so an unawaited failure is not reported as never retrieved
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._inflight[key]
