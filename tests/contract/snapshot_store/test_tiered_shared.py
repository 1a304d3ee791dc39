"""The tiered cache over real Redis and S3 (moto): refills, the stale-put guard, faults, cross-instance invalidation.

Each "instance" is its own ``TieredSnapshotStore`` (and ``CachedProjectSnapshots``) over the same Redis key prefix
and bucket, as two app processes would be.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from minio import Minio
from redis.asyncio import Redis

from flagcore.adapters.memory.snapshot_store import MemorySnapshotStore
from flagcore.adapters.minio import MinioSnapshotStore
from flagcore.adapters.redis import RedisInvalidationListener, RedisInvalidationPublisher, RedisSnapshotStore
from flagcore.adapters.snapshots import CachedProjectSnapshots, Tier, TieredSnapshotStore
from flagcore.domain.identity import Project
from flagcore.domain.snapshots import SnapshotKind
from flagcore.ports.snapshot_store import SnapshotStore
from tests.contract.snapshot_store.conftest import StoreFactory
from tests.unit.adapters.snapshot_fakes import FakeSource, snapshot

pytestmark = [pytest.mark.redis, pytest.mark.s3]
P = 21
KIND = SnapshotKind.DEFINITIONS
PROJECT = Project(id=P, organization_id="o", name="p", api_token="phc_p", created_at=datetime(2025, 1, 1, tzinfo=UTC))

Instance = Callable[..., TieredSnapshotStore]


@pytest.fixture
def source() -> FakeSource:
    return FakeSource()


@pytest.fixture
def instance(redis_store_factory: StoreFactory, minio_store_factory: StoreFactory, source: FakeSource) -> Instance:
    """A new instance's tiered cache (``redis,s3,db``, or with ``memory`` first) over the shared Redis and S3."""

    def make(*, memory: bool = False, redis: SnapshotStore | None = None) -> TieredSnapshotStore:
        tiers = [Tier("memory", MemorySnapshotStore(ttl_s=60), local=True)] if memory else []
        tiers += [Tier("redis", redis or redis_store_factory(3600)), Tier("s3", minio_store_factory(3600))]
        return TieredSnapshotStore(tiers, source)

    return make


async def test_an_s3_hit_refills_redis(
    instance: Instance, redis_store_factory: StoreFactory, minio_store_factory: StoreFactory, source: FakeSource
) -> None:
    redis, s3 = redis_store_factory(3600), minio_store_factory(3600)
    await s3.put(P, KIND, snapshot(3), generation=await redis.generation(P))
    assert await instance().get(P, KIND) == snapshot(3)
    assert await redis.get(P, KIND) == snapshot(3)
    assert source.builds == 0


async def test_a_database_build_refills_redis_and_s3(
    instance: Instance, redis_store_factory: StoreFactory, minio_store_factory: StoreFactory
) -> None:
    tiered = instance()
    assert await tiered.get(P, KIND) == snapshot(1)
    assert await redis_store_factory(3600).get(P, KIND) == snapshot(1)
    assert await minio_store_factory(3600).get(P, KIND) == snapshot(1)
    assert tiered.stats()["db"]["hits"] == 1


async def test_an_s3_object_from_before_an_invalidation_is_not_served(
    instance: Instance, minio_store_factory: StoreFactory, redis_store_factory: StoreFactory, source: FakeSource
) -> None:
    redis = redis_store_factory(3600)
    stale_generation = await redis.generation(P)
    await redis.invalidate(P)
    await minio_store_factory(3600).put(P, KIND, snapshot(0), generation=stale_generation)
    assert await instance().get(P, KIND) == snapshot(1)  # rebuilt, not the stale object
    assert source.builds == 1


async def test_a_build_overtaken_by_another_instances_write_does_not_stay_in_the_shared_tiers(
    instance: Instance, redis_store_factory: StoreFactory, source: FakeSource
) -> None:
    reader, writer = instance(), instance()
    source.gate = asyncio.Event()
    slow = asyncio.create_task(reader.get(P, KIND))  # reads the generation, builds v1, then waits
    async with asyncio.timeout(5):
        await source.building.wait()
    source.version = 2
    await writer.invalidate(P)  # the write committed; its invalidation lands before the reader stores v1
    source.gate.set()
    assert await slow == snapshot(1)
    source.gate = None
    assert await redis_store_factory(3600).get(P, KIND) is None  # the stale refill was refused
    assert reader.stats()["redis"]["refused"] == 1
    assert await instance().get(P, KIND) == snapshot(2)  # and S3's stale copy is not taken as current


async def test_with_redis_down_reads_fall_through_to_s3_and_are_counted(
    instance: Instance, minio_store_factory: StoreFactory, source: FakeSource
) -> None:
    await instance().get(P, KIND)  # Redis and S3 hold v1
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2)
    try:
        without_redis = instance(redis=RedisSnapshotStore(dead, ttl_s=60))
        assert await without_redis.get(P, KIND) == snapshot(1)
        assert await without_redis.get_etag(P, KIND) == "v1"
    finally:
        await dead.aclose()
    assert source.builds == 1  # served by S3, not rebuilt
    assert without_redis.stats()["redis"]["failures"] >= 1
    assert without_redis.stats()["s3"]["hits"] >= 1


@pytest.fixture
async def listening(
    redis_client: Redis, redis_key_prefix: str, instance: Instance
) -> AsyncIterator[tuple[CachedProjectSnapshots, RedisInvalidationListener]]:
    """A second instance whose in-process snapshots never refresh on their own, subscribed to invalidations."""
    tiered = instance(memory=True)
    snapshots = CachedProjectSnapshots(tiered, refresh_s=3600)

    async def drop(project_id: int) -> None:
        await tiered.forget(project_id)
        snapshots.forget(project_id)

    async def drop_all() -> None:
        await tiered.forget_all()
        snapshots.forget_all()

    listener = RedisInvalidationListener(redis_client, key_prefix=redis_key_prefix, wait_s=5.0)
    await listener.start(drop, drop_all)
    assert listener.status().subscribed
    yield snapshots, listener
    await listener.stop()


async def test_an_invalidation_reaches_another_instance_within_a_second(
    instance: Instance,
    source: FakeSource,
    listening: tuple[CachedProjectSnapshots, RedisInvalidationListener],
    redis_client: Redis,
    redis_key_prefix: str,
) -> None:
    other, listener = listening
    publisher = RedisInvalidationPublisher(redis_client, key_prefix=redis_key_prefix)
    writer = CachedProjectSnapshots(instance(memory=True), publisher, refresh_s=3600)
    assert (await other.definitions(PROJECT, with_cohorts=False)).etag == "v1"
    source.version = 2
    await writer.invalidate(P)  # after the write's commit
    deadline = time.monotonic() + 1.0
    while (await other.definitions(PROJECT, with_cohorts=False)).etag != "v2":
        assert time.monotonic() < deadline, "the other instance still serves the old snapshot after 1 s"
        await asyncio.sleep(0.02)
    assert listener.status().received == 1


async def test_a_missing_bucket_is_created_by_the_first_put(minio_client: Minio) -> None:
    store = MinioSnapshotStore(minio_client, bucket="created-late", ttl_s=60)  # start-up could not create it
    assert await store.put(P, KIND, snapshot(1))
    assert await store.get(P, KIND) == snapshot(1)
