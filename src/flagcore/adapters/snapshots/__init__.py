"""Project snapshots: built from the repositories, kept in tiers (memory, Redis, S3), and in process memory."""

from flagcore.adapters.snapshots.cached import CachedProjectSnapshots
from flagcore.adapters.snapshots.source import DatabaseSnapshotSource
from flagcore.adapters.snapshots.tiered import Tier, TieredSnapshotStore

__all__ = ("CachedProjectSnapshots", "DatabaseSnapshotSource", "Tier", "TieredSnapshotStore")
