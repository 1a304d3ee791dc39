"""``SnapshotCache`` over an ordered list of tiers (e.g. memory, Redis, S3, database), as PostHog's HyperCache.

Reads go through the tiers in order. A hit at one tier refills the tiers above it (an S3 hit refills Redis; a
database build refills every cache tier), bottom-up, stamped with the generation read from the first tier that
tracks generations (Redis) right after it missed: a refill that an invalidation has overtaken is refused there,
and stops before reaching the tiers above. A tier that fails is skipped, logged (rate limited) and counted, and
is left alone for a short cool-down; the read continues below it. Only when the last tier (the source) fails
does the read fail. Writes and invalidations go to every tier; an invalidation a tier missed is retried before
that tier is used again, so a Redis that comes back does not serve what was invalidated while it was down.

Within this process, an invalidation also overtakes reads already in flight: their refills are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from flagcore.adapters.snapshots.tier_health import DEFAULT_COOLDOWN_S, TierHealth
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.snapshot_cache import SnapshotCache, SnapshotKind
from flagcore.ports.snapshots import EncodedSnapshot


class Tier(NamedTuple):
    name: str
    cache: SnapshotCache
    #: Process-local (memory): dropped by ``forget`` when another instance announces an invalidation.
    local: bool = False


class TieredSnapshotCache(SnapshotCache):
    """The last tier is the source (it builds, so it never misses for an existing project)."""

    def __init__(self, tiers: Sequence[Tier], *, cooldown_s: float = DEFAULT_COOLDOWN_S) -> None:
        if not tiers:
            raise ValueError("a tiered snapshot cache needs at least one tier")
        self._tiers = tuple(tiers)
        self._health = tuple(TierHealth(tier.name, cooldown_s=cooldown_s) for tier in self._tiers)
        self._epoch = 0
        self._local_generations: dict[int, int] = {}
        self._seen: set[int] = set()

    def stats(self) -> dict[str, dict[str, int]]:
        """Counters per tier name: hits, misses, failures, skipped (cool-down), refills, refused, pending."""
        return {health.name: health.stats() for health in self._health}

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        return await self._read(project_id, kind, generation, start=0, failed=set())

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        stamp, failed = generation, set[int]()
        # Only the cache tiers answer ETag-only reads: asking the source would build the snapshot and drop it.
        for index, tier in enumerate(self._tiers[:-1]):
            try:
                if not await self._usable(index):
                    failed.add(index)
                    continue
                etag = await tier.cache.get_etag(project_id, kind, generation=stamp)
                if etag is None and stamp is None:
                    stamp = await tier.cache.generation(project_id)
            except BackendUnavailableError as exc:
                self._health[index].failed("get_etag", exc)
                failed.add(index)
                continue
            if etag is not None:
                self._health[index].hits += 1
                return etag
            self._health[index].misses += 1
        # Every cache tier missed: build from the source once, refilling the tiers above it.
        snapshot = await self._read(project_id, kind, stamp, start=len(self._tiers) - 1, failed=failed)
        return None if snapshot is None else snapshot.etag

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        stored = True
        for index, tier in enumerate(self._tiers):
            try:
                await self._flush_pending(index)
                stored = await tier.cache.put(project_id, kind, snapshot, generation=generation) and stored
            except BackendUnavailableError as exc:
                self._health[index].failed("put", exc)
        return stored

    async def generation(self, project_id: int) -> str | None:
        for index, tier in enumerate(self._tiers):
            try:
                if await self._usable(index) and (token := await tier.cache.generation(project_id)) is not None:
                    return token
            except BackendUnavailableError as exc:
                self._health[index].failed("generation", exc)
        return None

    async def invalidate(self, project_id: int) -> None:
        self._bump(project_id)
        for index, tier in enumerate(self._tiers):
            try:
                await tier.cache.invalidate(project_id)
            except BackendUnavailableError as exc:
                # Retried before this tier is read again: it must not serve this project's old snapshot then.
                self._health[index].pending.add(project_id)
                self._health[index].failed("invalidate", exc)

    async def forget(self, project_id: int) -> None:
        """Drop this process's copies of a project another instance invalidated (shared tiers are left alone)."""
        self._bump(project_id)
        for tier in self._tiers:
            if tier.local:
                await tier.cache.invalidate(project_id)

    async def forget_all(self) -> None:
        """Drop this process's copies of every project (after invalidation messages may have been lost)."""
        self._epoch += 1
        for project_id in list(self._seen):
            await self.forget(project_id)

    async def _read(
        self, project_id: int, kind: SnapshotKind, stamp: str | None, *, start: int, failed: set[int]
    ) -> EncodedSnapshot | None:
        local = self._local_generation(project_id)
        self._seen.add(project_id)
        for index in range(start, len(self._tiers)):
            cache = self._tiers[index].cache
            try:
                if not await self._usable(index, source=index == len(self._tiers) - 1):
                    failed.add(index)
                    continue
                snapshot = await cache.get(project_id, kind, generation=stamp)
                if snapshot is None and stamp is None:
                    stamp = await cache.generation(project_id)
            except BackendUnavailableError as exc:
                self._health[index].failed("get", exc)
                failed.add(index)
                continue
            if snapshot is not None:
                self._health[index].hits += 1
                await self._refill(project_id, kind, snapshot, index, stamp, local, failed)
                return snapshot
            self._health[index].misses += 1
        if len(self._tiers) - 1 in failed:
            raise BackendUnavailableError("No snapshot tier could serve the project's flags.")
        return None

    async def _refill(
        self,
        project_id: int,
        kind: SnapshotKind,
        snapshot: EncodedSnapshot,
        found_at: int,
        stamp: str | None,
        local: tuple[int, int],
        failed: set[int],
    ) -> None:
        for index in reversed(range(found_at)):
            if index in failed:
                continue
            if self._local_generation(project_id) != local:
                return  # invalidated in this process while the read was in flight: the snapshot may be stale
            health = self._health[index]
            try:
                stored = await self._tiers[index].cache.put(project_id, kind, snapshot, generation=stamp)
            except BackendUnavailableError as exc:
                health.failed("refill", exc)
                continue
            if not stored:
                health.refused += 1
                return  # an invalidation overtook this read: the tiers above must not get the snapshot either
            health.refills += 1

    async def _usable(self, index: int, *, source: bool = False) -> bool:
        # The source is always tried: skipping it would turn a slow answer into no answer.
        health = self._health[index]
        if not source and not health.available():
            return False
        await self._flush_pending(index)
        return True

    async def _flush_pending(self, index: int) -> None:
        health = self._health[index]
        for project_id in list(health.pending):
            await self._tiers[index].cache.invalidate(project_id)
            health.pending.discard(project_id)

    def _bump(self, project_id: int) -> None:
        self._local_generations[project_id] = self._local_generations.get(project_id, 0) + 1

    def _local_generation(self, project_id: int) -> tuple[int, int]:
        return self._epoch, self._local_generations.get(project_id, 0)
