"""Snapshot build time and size, measured around the snapshot source without changing it."""

from __future__ import annotations

import time

from flagcore.app.observability.metrics import Metrics
from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.ports.snapshot_store import SnapshotSource


class MeasuredSnapshotSource(SnapshotSource):
    """Delegates to the source; every build is timed and sized."""

    def __init__(self, source: SnapshotSource, metrics: Metrics) -> None:
        self._source = source
        self._seconds = {kind: metrics.build_seconds.labels(kind.value) for kind in SnapshotKind}
        self._bytes = {kind: metrics.build_bytes.labels(kind.value) for kind in SnapshotKind}

    async def build(self, project_id: int, kind: SnapshotKind) -> EncodedSnapshot | None:
        start = time.perf_counter()
        snapshot = await self._source.build(project_id, kind)
        if snapshot is not None:
            self._seconds[kind].observe(time.perf_counter() - start)
            self._bytes[kind].observe(len(snapshot.body))
        return snapshot
