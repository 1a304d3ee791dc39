from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory.quota import MemoryQuotaLimitRepo, MemoryUsageCounters
from flagcore.adapters.memory.quota_rate_limiter import MemoryRateLimiter
from flagcore.adapters.redis.quota import RedisUsageCounters
from flagcore.adapters.redis.quota_rate_limiter import RedisRateLimiter
from flagcore.adapters.sqlalchemy.quota import SqlQuotaLimitRepo, SqlUsageCounters
from flagcore.ports.quota import QuotaLimitRepo, RateLimiter, UsageCounters
from tests.contract.seed import seed_organizations


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def memory_limits() -> QuotaLimitRepo:
    return MemoryQuotaLimitRepo()


@pytest.fixture
async def sqlite_limits(sqlite_sessions: async_sessionmaker[AsyncSession]) -> QuotaLimitRepo:
    await seed_organizations(sqlite_sessions)
    return SqlQuotaLimitRepo(sqlite_sessions)


@pytest.fixture
async def postgres_limits(postgres_sessions: async_sessionmaker[AsyncSession]) -> QuotaLimitRepo:
    await seed_organizations(postgres_sessions)
    return SqlQuotaLimitRepo(postgres_sessions)


@pytest.fixture
async def mariadb_limits(mariadb_sessions: async_sessionmaker[AsyncSession]) -> QuotaLimitRepo:
    await seed_organizations(mariadb_sessions)
    return SqlQuotaLimitRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_limits", id="memory"),
        pytest.param("sqlite_limits", id="sql:sqlite"),
        pytest.param("postgres_limits", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_limits", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def quota_limits(request: pytest.FixtureRequest) -> QuotaLimitRepo:
    repo: QuotaLimitRepo = request.getfixturevalue(request.param)
    return repo


@pytest.fixture
def memory_counters() -> UsageCounters:
    return MemoryUsageCounters()


@pytest.fixture
def sqlite_counters(sqlite_sessions: async_sessionmaker[AsyncSession]) -> UsageCounters:
    return SqlUsageCounters(sqlite_sessions)


@pytest.fixture
def postgres_counters(postgres_sessions: async_sessionmaker[AsyncSession]) -> UsageCounters:
    return SqlUsageCounters(postgres_sessions)


@pytest.fixture
def mariadb_counters(mariadb_sessions: async_sessionmaker[AsyncSession]) -> UsageCounters:
    return SqlUsageCounters(mariadb_sessions)


@pytest.fixture
def redis_counters(redis_client: Redis, redis_key_prefix: str) -> UsageCounters:
    return RedisUsageCounters(redis_client, key_prefix=redis_key_prefix)


@pytest.fixture(
    params=[
        pytest.param("memory_counters", id="memory"),
        pytest.param("sqlite_counters", id="sql:sqlite"),
        pytest.param("postgres_counters", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_counters", id="sql:mariadb", marks=pytest.mark.mariadb),
        pytest.param("redis_counters", id="redis"),
    ]
)
def usage_counters(request: pytest.FixtureRequest) -> UsageCounters:
    counters: UsageCounters = request.getfixturevalue(request.param)
    return counters


@pytest.fixture
def memory_rate_limiter() -> RateLimiter:
    return MemoryRateLimiter()


@pytest.fixture
def redis_rate_limiter(redis_client: Redis, redis_url: str, redis_key_prefix: str) -> RateLimiter:
    return RedisRateLimiter(redis_client, url=redis_url, key_prefix=redis_key_prefix)


@pytest.fixture(
    params=[pytest.param("memory_rate_limiter", id="memory"), pytest.param("redis_rate_limiter", id="redis")]
)
def rate_limiter(request: pytest.FixtureRequest) -> RateLimiter:
    limiter: RateLimiter = request.getfixturevalue(request.param)
    return limiter
