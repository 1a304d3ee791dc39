"""``SnapshotStore`` in process memory: the reference implementation of the port and the ``memory`` tier."""

from __future__ import annotations

import time
from collections.abc import Callable

from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.ports.snapshot_store import SnapshotStore


class _Entry:
    __slots__ = ("expires_at", "snapshot", "stamp")

    def __init__(self, snapshot: EncodedSnapshot, stamp: str | None, expires_at: float) -> None:
        self.snapshot = snapshot
        self.stamp = stamp
        self.expires_at = expires_at


class MemorySnapshotStore(SnapshotStore):
    """Entries live ``ttl_s`` seconds (forever when None). Generations are not tracked, only stamped.

    Nothing here is shared with other processes: as a tier, it must not outlive the staleness bound the
    deployment promises (the composition root gives it the refresh window as its TTL).
    """

    def __init__(self, *, ttl_s: float | None = None, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._entries: dict[tuple[int, SnapshotKind], _Entry] = {}

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        entry = self._live(project_id, kind, generation)
        return None if entry is None else entry.snapshot

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        entry = self._live(project_id, kind, generation)
        return None if entry is None else entry.snapshot.etag

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        expires_at = float("inf") if self._ttl_s is None else self._monotonic() + self._ttl_s
        self._entries[project_id, kind] = _Entry(snapshot, generation, expires_at)
        return True

    async def generation(self, project_id: int) -> str | None:
        del project_id  # process-local entries: the tiered cache guards them with its own in-process generation
        return None

    async def invalidate(self, project_id: int) -> None:
        for kind in SnapshotKind:
            self._entries.pop((project_id, kind), None)

    def _live(self, project_id: int, kind: SnapshotKind, generation: str | None) -> _Entry | None:
        entry = self._entries.get((project_id, kind))
        if entry is None:
            return None
        if entry.expires_at <= self._monotonic():
            del self._entries[project_id, kind]
            return None
        if generation is not None and entry.stamp != generation:
            return None
        return entry
