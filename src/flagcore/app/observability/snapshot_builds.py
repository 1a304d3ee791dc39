"""Snapshot build time and size, measured around the database tier (the source) without changing it."""

from __future__ import annotations

import time

from flagcore.app.observability.metrics import Metrics
from flagcore.ports.snapshot_cache import SnapshotCache, SnapshotKind
from flagcore.ports.snapshots import EncodedSnapshot


class MeasuredSnapshotSource(SnapshotCache):
    """Delegates to the source tier; every build (``get``, and ``get_etag``, which builds too) is timed and sized."""

    def __init__(self, source: SnapshotCache, metrics: Metrics) -> None:
        self._source = source
        self._seconds = {kind: metrics.build_seconds.labels(kind.value) for kind in SnapshotKind}
        self._bytes = {kind: metrics.build_bytes.labels(kind.value) for kind in SnapshotKind}

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        start = time.perf_counter()
        snapshot = await self._source.get(project_id, kind, generation=generation)
        if snapshot is not None:
            self._seconds[kind].observe(time.perf_counter() - start)
            self._bytes[kind].observe(len(snapshot.body))
        return snapshot

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        # The source answers an ETag by building the snapshot: measured as a build.
        snapshot = await self.get(project_id, kind, generation=generation)
        return None if snapshot is None else snapshot.etag

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        return await self._source.put(project_id, kind, snapshot, generation=generation)

    async def generation(self, project_id: int) -> str | None:
        return await self._source.generation(project_id)

    async def invalidate(self, project_id: int) -> None:
        await self._source.invalidate(project_id)
