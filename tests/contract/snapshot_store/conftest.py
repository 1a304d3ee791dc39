"""Adapters under the ``SnapshotStore`` contract.

``store_factory`` builds the storing tiers (memory, Redis, S3) with a given TTL; ``snapshot_store`` is one with a
long TTL. ``snapshot_source`` is a store that builds from the repositories (the database source alone behind a
tiered store with no tiers, or with tiers in front of it), together with the repositories a test changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import NamedTuple

import pytest
import urllib3
from minio import Minio
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryFlagRepo, MemoryGroupTypeRepo, MemoryProjectRepo
from flagcore.adapters.memory.snapshot_store import MemorySnapshotStore
from flagcore.adapters.minio import MinioSnapshotStore
from flagcore.adapters.redis import RedisSnapshotStore
from flagcore.adapters.snapshots import DatabaseSnapshotSource, Tier, TieredSnapshotStore
from flagcore.adapters.sqlalchemy import SqlFlagRepo, SqlGroupTypeRepo, SqlProjectRepo
from flagcore.ports.flags import FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.snapshot_store import SnapshotStore
from tests.contract.seed import ORG_ID, OTHER_PROJECT_ID, PROJECT_ID, SEEDED_AT, seed_projects

StoreFactory = Callable[[float], SnapshotStore]
BUCKET = "flagcore-snapshots"


class Source(NamedTuple):
    """A snapshot cache that builds from these stores (projects ``PROJECT_ID`` and ``OTHER_PROJECT_ID`` exist)."""

    cache: SnapshotStore
    flags: FlagRepo
    group_types: GroupTypeRepo
    projects: ProjectRepo


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url, socket_timeout=2.0, socket_connect_timeout=2.0)
    yield client
    await client.aclose()


@pytest.fixture
def minio_client(s3_endpoint: str) -> Minio:
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=2.0), retries=urllib3.Retry(total=0))
    return Minio(s3_endpoint, access_key="test", secret_key="test", secure=False, region="us-east-1", http_client=http)


@pytest.fixture
def memory_store_factory() -> StoreFactory:
    return lambda ttl_s: MemorySnapshotStore(ttl_s=ttl_s)


@pytest.fixture
def redis_store_factory(redis_client: Redis, redis_key_prefix: str) -> StoreFactory:
    return lambda ttl_s: RedisSnapshotStore(redis_client, ttl_s=ttl_s, key_prefix=redis_key_prefix)


@pytest.fixture
async def minio_store_factory(minio_client: Minio) -> StoreFactory:
    await MinioSnapshotStore(minio_client, bucket=BUCKET, ttl_s=1).ensure_bucket()
    return lambda ttl_s: MinioSnapshotStore(minio_client, bucket=BUCKET, ttl_s=ttl_s)


@pytest.fixture(
    params=[
        pytest.param("memory_store_factory", id="memory"),
        pytest.param("redis_store_factory", id="redis", marks=pytest.mark.redis),
        pytest.param("minio_store_factory", id="s3", marks=pytest.mark.s3),
    ]
)
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    factory: StoreFactory = request.getfixturevalue(request.param)
    return factory


@pytest.fixture
def snapshot_store(store_factory: StoreFactory) -> SnapshotStore:
    return store_factory(3600.0)


def _database(
    flags: FlagRepo, group_types: GroupTypeRepo, projects: ProjectRepo, tiers: list[Tier] | None = None
) -> Source:
    source = DatabaseSnapshotSource(flags, group_types, projects)
    return Source(TieredSnapshotStore(tiers or [], source), flags, group_types, projects)


async def memory_repos() -> tuple[FlagRepo, GroupTypeRepo, ProjectRepo]:
    projects = MemoryProjectRepo()
    for project_id in (PROJECT_ID, OTHER_PROJECT_ID):  # the memory repo numbers projects 1, 2, … like the seed
        created = await projects.create(
            organization_id=ORG_ID, name="p", api_token=f"phc_seed_{project_id}", timezone="UTC", created_at=SEEDED_AT
        )
        assert created.id == project_id
    return MemoryFlagRepo(), MemoryGroupTypeRepo(), projects


async def sql_repos(sessions: async_sessionmaker[AsyncSession]) -> tuple[FlagRepo, GroupTypeRepo, ProjectRepo]:
    await seed_projects(sessions)
    async with sessions.begin() as session:
        if session.bind.dialect.name == "postgresql":  # the seed sets ids explicitly: move the sequence past them
            await session.execute(text("SELECT setval(pg_get_serial_sequence('projects', 'id'), 100)"))
    return SqlFlagRepo(sessions), SqlGroupTypeRepo(sessions), SqlProjectRepo(sessions)


@pytest.fixture
async def db_memory_source() -> Source:
    return _database(*await memory_repos())


@pytest.fixture
async def db_sqlite_source(sqlite_sessions: async_sessionmaker[AsyncSession]) -> Source:
    return _database(*await sql_repos(sqlite_sessions))


@pytest.fixture
async def db_postgres_source(postgres_sessions: async_sessionmaker[AsyncSession]) -> Source:
    return _database(*await sql_repos(postgres_sessions))


@pytest.fixture
async def db_mariadb_source(mariadb_sessions: async_sessionmaker[AsyncSession]) -> Source:
    # MySQL moves a table's auto-increment counter past explicitly inserted ids by itself.
    return _database(*await sql_repos(mariadb_sessions))


@pytest.fixture
async def tiered_memory_db_source(sqlite_sessions: async_sessionmaker[AsyncSession]) -> Source:
    tiers = [Tier("memory", MemorySnapshotStore(ttl_s=3600), local=True)]
    return _database(*await sql_repos(sqlite_sessions), tiers)


@pytest.fixture
async def tiered_redis_s3_db_source(
    sqlite_sessions: async_sessionmaker[AsyncSession],
    redis_store_factory: StoreFactory,
    minio_store_factory: StoreFactory,
) -> Source:
    tiers = [Tier("redis", redis_store_factory(3600)), Tier("s3", minio_store_factory(3600))]
    return _database(*await sql_repos(sqlite_sessions), tiers)


@pytest.fixture
async def tiered_all_postgres_source(
    postgres_sessions: async_sessionmaker[AsyncSession],
    redis_store_factory: StoreFactory,
    minio_store_factory: StoreFactory,
) -> Source:
    tiers = [
        Tier("memory", MemorySnapshotStore(ttl_s=3600), local=True),
        Tier("redis", redis_store_factory(3600)),
        Tier("s3", minio_store_factory(3600)),
    ]
    return _database(*await sql_repos(postgres_sessions), tiers)


@pytest.fixture(
    params=[
        pytest.param("db_memory_source", id="db:memory"),
        pytest.param("db_sqlite_source", id="db:sqlite"),
        pytest.param("db_postgres_source", id="db:postgres", marks=pytest.mark.postgres),
        pytest.param("db_mariadb_source", id="db:mariadb", marks=pytest.mark.mariadb),
        pytest.param("tiered_memory_db_source", id="tiered:memory,db"),
        pytest.param("tiered_redis_s3_db_source", id="tiered:redis,s3,db", marks=[pytest.mark.redis, pytest.mark.s3]),
        pytest.param(
            "tiered_all_postgres_source",
            id="tiered:memory,redis,s3,db:postgres",
            marks=[pytest.mark.redis, pytest.mark.s3, pytest.mark.postgres],
        ),
    ]
)
def snapshot_source(request: pytest.FixtureRequest) -> Source:
    source: Source = request.getfixturevalue(request.param)
    return source
