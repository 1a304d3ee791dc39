"""Project snapshots: built from the flag store, kept in tiers (memory, Redis, S3), and in process memory."""

from flagcore.adapters.snapshots.cached import CachedProjectSnapshots
from flagcore.adapters.snapshots.db_cache import DatabaseSnapshotCache, encode_snapshot, snapshot_etag
from flagcore.adapters.snapshots.tiered import Tier, TieredSnapshotCache

__all__ = (
    "CachedProjectSnapshots",
    "DatabaseSnapshotCache",
    "Tier",
    "TieredSnapshotCache",
    "encode_snapshot",
    "snapshot_etag",
)
