"""The quota contract (``flagcore.testing.contracts.quota``) against every adapter, and the Redis adapters' failures."""

from __future__ import annotations

from datetime import date

import pytest
from redis.asyncio import Redis

from flagcore.adapters.redis.quota import RedisUsageCounters
from flagcore.adapters.redis.quota_rate_limiter import RedisRateLimiter
from flagcore.domain.quota import Rate, UsageKey
from flagcore.ports.errors import BackendUnavailableError
from flagcore.testing.contracts.ids import ORG_ID
from flagcore.testing.contracts.quota import *  # noqa: F403 - the suite's tests, collected here
from flagcore.testing.contracts.quota import FLAGS


async def test_redis_adapters_report_an_unreachable_server() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        with pytest.raises(BackendUnavailableError):
            await RedisUsageCounters(dead).add({UsageKey(ORG_ID, FLAGS, date(2026, 3, 9)): 1})
        with pytest.raises(BackendUnavailableError):
            await RedisUsageCounters(dead).daily(ORG_ID, FLAGS, date(2026, 3, 1), date(2026, 4, 1))
        with pytest.raises(BackendUnavailableError):
            await RedisRateLimiter(dead, url="redis://127.0.0.1:1/0").hit("s", "k", Rate(1, 1))
    finally:
        await dead.aclose()
