"""``RateLimiter`` in Redis through ``limits``' async storage, over the process's one connection pool.

The moving window is one sorted list per (scope, key), updated by ``limits``' Lua script, so every instance counts
against the same window.
"""

from __future__ import annotations

from redis.asyncio import Redis

from flagcore.adapters.memory.quota_rate_limiter import LimitsRateLimiter


class RedisRateLimiter(LimitsRateLimiter):
    def __init__(self, client: Redis, *, url: str, key_prefix: str = "") -> None:
        from limits.aio.storage import RedisStorage  # noqa: PLC0415 - imports the redis bridge only when used

        storage = RedisStorage(
            f"async+{url}",
            wrap_exceptions=True,
            implementation="redispy",
            key_prefix=f"{key_prefix}flagcore:ratelimit",
            connection_pool=client.connection_pool,  # type: ignore[arg-type]  # passed through to redis.asyncio.Redis
        )
        super().__init__(storage)
