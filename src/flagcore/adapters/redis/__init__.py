"""Redis adapters: the shared snapshot tier and the cross-instance invalidation channel."""

from flagcore.adapters.redis.invalidations import RedisInvalidationListener
from flagcore.adapters.redis.snapshot_cache import RedisSnapshotCache, invalidation_channel

__all__ = ("RedisInvalidationListener", "RedisSnapshotCache", "invalidation_channel")
