"""``ProjectSnapshots`` that keeps each project's snapshot in process memory for a bounded time.

The hot paths (``/flags``, the definitions feed) then cost no round trip to the store per request. Staleness is
bounded: a snapshot older than ``refresh_s`` is fetched again on its next use, so a write made through another
instance is served here within ``refresh_s`` (plus one fetch). Writes made through this instance call
``invalidate`` after they commit, so they are served at once. The cache only holds derived data: losing it costs
one fetch, never data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from flagcore.domain.evaluation import CompiledSnapshot, compile_snapshot
from flagcore.domain.identity import Project
from flagcore.ports.snapshots import EncodedSnapshot, ProjectSnapshots

T = TypeVar("T")
DEFAULT_REFRESH_S: Final = 1.0


class _Entry:
    __slots__ = ("fetched_at", "value")

    def __init__(self, value: EncodedSnapshot, fetched_at: float) -> None:
        self.value = value
        self.fetched_at = fetched_at


class CachedProjectSnapshots(ProjectSnapshots):
    def __init__(
        self,
        inner: ProjectSnapshots,
        *,
        refresh_s: float = DEFAULT_REFRESH_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._refresh_s = refresh_s
        self._monotonic = monotonic
        self._entries: dict[tuple[int, bool], _Entry] = {}
        self._compiled: dict[int, tuple[str, CompiledSnapshot]] = {}
        # Bumped by invalidate(): a fetch that started before an invalidation must not store its (stale) result.
        self._generations: dict[int, int] = {}
        self._inflight: dict[tuple[int, bool], asyncio.Future[EncodedSnapshot]] = {}

    async def definitions(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        key = (project.id, with_cohorts)
        entry = self._entries.get(key)
        if entry is not None and self._monotonic() - entry.fetched_at < self._refresh_s:
            return entry.value
        return await self._single_flight(key, lambda: self._fetch(project, with_cohorts=with_cohorts))

    async def compiled(self, project: Project) -> CompiledSnapshot:
        snapshot = await self.definitions(project, with_cohorts=True)
        cached = self._compiled.get(project.id)
        if cached is not None and cached[0] == snapshot.etag:
            return cached[1]
        # Compiled from the cached bytes themselves, so the compiled snapshot always matches the served feed.
        compiled = compile_snapshot(snapshot.body, timezone=project.timezone)
        self._compiled[project.id] = (snapshot.etag, compiled)
        return compiled

    async def invalidate(self, project_id: int) -> None:
        self._generations[project_id] = self._generations.get(project_id, 0) + 1
        for key in [k for k in self._entries if k[0] == project_id]:
            del self._entries[key]
        self._compiled.pop(project_id, None)
        await self._inner.invalidate(project_id)

    async def _fetch(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        generation = self._generations.get(project.id, 0)
        value = await self._inner.definitions(project, with_cohorts=with_cohorts)
        if self._generations.get(project.id, 0) == generation:
            self._entries[project.id, with_cohorts] = _Entry(value, self._monotonic())
        return value

    async def _single_flight(
        self, key: tuple[int, bool], fetch: Callable[[], Awaitable[EncodedSnapshot]]
    ) -> EncodedSnapshot:
        # Concurrent requests for an expired snapshot share one fetch instead of stampeding the store.
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
