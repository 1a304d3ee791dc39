"""``SnapshotStore`` over an ordered list of stores (e.g. memory, Redis, S3) in front of a source (the database).

As PostHog's HyperCache: reads go through the stores in order, and when all of them miss the source builds the
snapshot. A hit at one store refills the stores above it (an S3 hit refills Redis; a build refills every store),
bottom-up, stamped with the generation read from the first store that tracks generations (Redis) right after it
missed: a refill that an invalidation has overtaken is refused there, and stops before reaching the stores above.
A store that fails is skipped, logged (rate limited) and counted, and is left alone for a short cool-down; the
read continues below it. Only when the source fails does the read fail. Writes and invalidations go to every
store; an invalidation a store missed is retried before that store is used again, so a Redis that comes back does
not serve what was invalidated while it was down.

Within this process, an invalidation also overtakes reads already in flight: their refills are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from flagcore.adapters.snapshots.tier_health import DEFAULT_COOLDOWN_S, TierHealth
from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.snapshot_store import SnapshotSource, SnapshotStore


class Tier(NamedTuple):
    name: str
    store: SnapshotStore
    #: Process-local (memory): dropped by ``forget`` when another instance announces an invalidation.
    local: bool = False


class TieredSnapshotStore(SnapshotStore):
    """Stores read in order, then the source (named ``source_name`` in the counters)."""

    def __init__(
        self,
        tiers: Sequence[Tier],
        source: SnapshotSource,
        *,
        source_name: str = "db",
        cooldown_s: float = DEFAULT_COOLDOWN_S,
    ) -> None:
        self._tiers = tuple(tiers)
        self._source = source
        self._health = tuple(TierHealth(tier.name, cooldown_s=cooldown_s) for tier in self._tiers)
        # The source is always tried (skipping it would turn a slow answer into no answer): no cool-down.
        self._source_health = TierHealth(source_name, cooldown_s=0)
        self._epoch = 0
        self._local_generations: dict[int, int] = {}
        self._seen: set[int] = set()

    def stats(self) -> dict[str, dict[str, int]]:
        """Counters per tier name, the source last: hits, misses, failures, skipped, refills, refused, pending."""
        counters = {health.name: health.stats() for health in self._health}
        counters[self._source_health.name] = self._source_health.stats()
        return counters

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        local = self._local_generation(project_id)
        self._seen.add(project_id)
        stamp, failed = generation, set[int]()
        for index, tier in enumerate(self._tiers):
            try:
                if not await self._usable(index):
                    failed.add(index)
                    continue
                snapshot = await tier.store.get(project_id, kind, generation=stamp)
                if snapshot is None and stamp is None:
                    stamp = await tier.store.generation(project_id)
            except BackendUnavailableError as exc:
                self._health[index].failed("get", exc)
                failed.add(index)
                continue
            if snapshot is not None:
                self._health[index].hits += 1
                await self._refill(project_id, kind, snapshot, index, stamp, local, failed)
                return snapshot
            self._health[index].misses += 1
        return await self._build(project_id, kind, stamp, local, failed)

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        local = self._local_generation(project_id)
        self._seen.add(project_id)
        stamp, failed = generation, set[int]()
        for index, tier in enumerate(self._tiers):
            try:
                if not await self._usable(index):
                    failed.add(index)
                    continue
                etag = await tier.store.get_etag(project_id, kind, generation=stamp)
                if etag is None and stamp is None:
                    stamp = await tier.store.generation(project_id)
            except BackendUnavailableError as exc:
                self._health[index].failed("get_etag", exc)
                failed.add(index)
                continue
            if etag is not None:
                self._health[index].hits += 1
                return etag
            self._health[index].misses += 1
        # Every store missed: build once (an ETag-only answer from the source would build and drop the snapshot).
        snapshot = await self._build(project_id, kind, stamp, local, failed)
        return None if snapshot is None else snapshot.etag

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        stored = True
        for index, tier in enumerate(self._tiers):
            try:
                await self._flush_pending(index)
                stored = await tier.store.put(project_id, kind, snapshot, generation=generation) and stored
            except BackendUnavailableError as exc:
                self._health[index].failed("put", exc)
        return stored

    async def generation(self, project_id: int) -> str | None:
        for index, tier in enumerate(self._tiers):
            try:
                if await self._usable(index) and (token := await tier.store.generation(project_id)) is not None:
                    return token
            except BackendUnavailableError as exc:
                self._health[index].failed("generation", exc)
        return None

    async def invalidate(self, project_id: int) -> None:
        self._bump(project_id)
        for index, tier in enumerate(self._tiers):
            try:
                await tier.store.invalidate(project_id)
            except BackendUnavailableError as exc:
                # Retried before this store is read again: it must not serve this project's old snapshot then.
                self._health[index].pending.add(project_id)
                self._health[index].failed("invalidate", exc)

    async def forget(self, project_id: int) -> None:
        """Drop this process's copies of a project another instance invalidated (shared stores are left alone)."""
        self._bump(project_id)
        for tier in self._tiers:
            if tier.local:
                await tier.store.invalidate(project_id)

    async def forget_all(self) -> None:
        """Drop this process's copies of every project (after invalidation messages may have been lost)."""
        self._epoch += 1
        for project_id in list(self._seen):
            await self.forget(project_id)

    async def _build(
        self, project_id: int, kind: SnapshotKind, stamp: str | None, local: tuple[int, int], failed: set[int]
    ) -> EncodedSnapshot | None:
        health = self._source_health
        try:
            snapshot = await self._source.build(project_id, kind)
        except BackendUnavailableError as exc:
            health.failed("build", exc)
            raise BackendUnavailableError("No snapshot tier could serve the project's flags.") from exc
        if snapshot is None:
            health.misses += 1
            return None
        health.hits += 1
        await self._refill(project_id, kind, snapshot, len(self._tiers), stamp, local, failed)
        return snapshot

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
                stored = await self._tiers[index].store.put(project_id, kind, snapshot, generation=stamp)
            except BackendUnavailableError as exc:
                health.failed("refill", exc)
                continue
            if not stored:
                health.refused += 1
                return  # an invalidation overtook this read: the stores above must not get the snapshot either
            health.refills += 1

    async def _usable(self, index: int) -> bool:
        if not self._health[index].available():
            return False
        await self._flush_pending(index)
        return True

    async def _flush_pending(self, index: int) -> None:
        health = self._health[index]
        for project_id in list(health.pending):
            await self._tiers[index].store.invalidate(project_id)
            health.pending.discard(project_id)

    def _bump(self, project_id: int) -> None:
        self._local_generations[project_id] = self._local_generations.get(project_id, 0) + 1

    def _local_generation(self, project_id: int) -> tuple[int, int]:
        return self._epoch, self._local_generations.get(project_id, 0)
