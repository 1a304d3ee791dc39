"""``RedisInvalidationListener`` against the real Redis, through a proxy the test can cut."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis

from flagcore.adapters.redis import RedisInvalidationListener, RedisSnapshotCache, invalidation_channel
from tests.contract.snapshot_cache.proxy import CuttableProxy

pytestmark = pytest.mark.redis


class Recorder:
    def __init__(self) -> None:
        self.invalidated: list[int] = []
        self.resubscribed = 0
        self.changed = asyncio.Event()

    async def invalidate(self, project_id: int) -> None:
        self.invalidated.append(project_id)
        self.changed.set()

    async def resubscribe(self) -> None:
        self.resubscribed += 1
        self.changed.set()

    async def wait(self, condition: object, timeout_s: float = 5.0) -> None:
        async with asyncio.timeout(timeout_s):
            while not condition():  # type: ignore[operator]
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[CuttableProxy]:
    parts = urlsplit(redis_url)
    proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    yield proxy
    await proxy.stop()


@pytest.fixture
async def publisher(redis_url: str, redis_key_prefix: str) -> AsyncIterator[RedisSnapshotCache]:
    client = Redis.from_url(redis_url)
    yield RedisSnapshotCache(client, ttl_s=60, key_prefix=redis_key_prefix)
    await client.aclose()


async def test_the_listener_reports_invalidations_and_recovers_from_a_lost_connection(
    proxy: CuttableProxy, publisher: RedisSnapshotCache, redis_key_prefix: str
) -> None:
    recorder = Recorder()
    client = Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", socket_timeout=0.5, socket_connect_timeout=0.5)
    listener = RedisInvalidationListener(
        client,
        channel=invalidation_channel(redis_key_prefix),
        on_invalidate=recorder.invalidate,
        on_resubscribe=recorder.resubscribe,
        retry_s=0.05,
    )
    await listener.start()
    try:
        assert await listener.wait_subscribed(5.0)
        await publisher.invalidate(3)
        await recorder.wait(lambda: recorder.invalidated == [3])

        proxy.cut()  # the subscription is lost; what is published meanwhile is missed
        await asyncio.sleep(0.2)
        assert not listener.subscribed
        assert listener.failures >= 1
        await publisher.invalidate(4)

        proxy.restore()
        await recorder.wait(lambda: recorder.resubscribed == 1)  # everything local is dropped: 4 may have been missed
        assert await listener.wait_subscribed(0)
        await publisher.invalidate(5)
        await recorder.wait(lambda: recorder.invalidated == [3, 5])
        assert listener.received == 2
    finally:
        await listener.stop()
        await client.aclose()


async def test_a_failing_callback_does_not_end_the_subscription(
    redis_url: str, publisher: RedisSnapshotCache, redis_key_prefix: str
) -> None:
    recorder = Recorder()

    async def flaky(project_id: int) -> None:
        if project_id == 1:
            raise RuntimeError("boom")
        await recorder.invalidate(project_id)

    client = Redis.from_url(redis_url, socket_timeout=0.5)
    listener = RedisInvalidationListener(
        client,
        channel=invalidation_channel(redis_key_prefix),
        on_invalidate=flaky,
        on_resubscribe=recorder.resubscribe,
    )
    await listener.start()
    try:
        assert await listener.wait_subscribed(5.0)
        await publisher.invalidate(1)
        await publisher.invalidate(2)
        await recorder.wait(lambda: recorder.invalidated == [2])
        assert listener.failures == 0
    finally:
        await listener.stop()
        await client.aclose()
