"""Redis adapters: the shared snapshot store and the cross-instance invalidation channel."""

from flagcore.adapters.redis.invalidations import (
    RedisInvalidationListener,
    RedisInvalidationPublisher,
    invalidation_channel,
)
from flagcore.adapters.redis.snapshot_store import RedisSnapshotStore

__all__ = ("RedisInvalidationListener", "RedisInvalidationPublisher", "RedisSnapshotStore", "invalidation_channel")
