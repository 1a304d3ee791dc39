"""The invalidation publisher/listener contract (memory and Redis pub/sub), and Redis reconnection through a proxy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis

from flagcore.adapters.memory import MemoryInvalidationBus
from flagcore.adapters.redis import RedisInvalidationListener, RedisInvalidationPublisher
from flagcore.ports.invalidations import InvalidationListener, InvalidationPublisher
from tests.contract.snapshot_store.proxy import CuttableProxy


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

    async def wait(self, condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
        async with asyncio.timeout(timeout_s):
            while not condition():
                self.changed.clear()
                await self.changed.wait()


class Channel(NamedTuple):
    publisher: InvalidationPublisher
    listener: Callable[[], InvalidationListener]


@pytest.fixture
def memory_channel() -> Channel:
    bus = MemoryInvalidationBus()
    return Channel(bus, bus.listener)


@pytest.fixture
async def redis_channel(redis_url: str, redis_key_prefix: str) -> AsyncIterator[Channel]:
    client = Redis.from_url(redis_url, socket_timeout=0.5)
    publisher = RedisInvalidationPublisher(client, key_prefix=redis_key_prefix)
    yield Channel(publisher, lambda: RedisInvalidationListener(client, key_prefix=redis_key_prefix, wait_s=5.0))
    await client.aclose()


@pytest.fixture(
    params=[
        pytest.param("memory_channel", id="memory"),
        pytest.param("redis_channel", id="redis", marks=pytest.mark.redis),
    ]
)
def channel(request: pytest.FixtureRequest) -> Channel:
    found: Channel = request.getfixturevalue(request.param)
    return found


async def test_every_started_listener_hears_every_publication(channel: Channel) -> None:
    first, second = Recorder(), Recorder()
    listeners = [channel.listener(), channel.listener()]
    await listeners[0].start(first.invalidate, first.resubscribe)
    await listeners[1].start(second.invalidate, second.resubscribe)
    try:
        assert all(listener.status().subscribed for listener in listeners)
        await channel.publisher.publish(3)
        await channel.publisher.publish(4)
        await first.wait(lambda: first.invalidated == [3, 4])
        await second.wait(lambda: second.invalidated == [3, 4])
        assert listeners[0].status().received == 2
    finally:
        for listener in listeners:
            await listener.stop()


async def test_a_failing_callback_does_not_end_the_subscription(channel: Channel) -> None:
    recorder = Recorder()

    async def flaky(project_id: int) -> None:
        if project_id == 1:
            raise RuntimeError("boom")
        await recorder.invalidate(project_id)

    listener = channel.listener()
    await listener.start(flaky, recorder.resubscribe)
    try:
        await channel.publisher.publish(1)
        await channel.publisher.publish(2)
        await recorder.wait(lambda: recorder.invalidated == [2])
        assert listener.status().failures == 0
        assert listener.status().subscribed
    finally:
        await listener.stop()


async def test_a_stopped_listener_hears_nothing_and_stopping_twice_is_harmless(channel: Channel) -> None:
    recorder = Recorder()
    listener = channel.listener()
    await listener.start(recorder.invalidate, recorder.resubscribe)
    await listener.stop()
    await listener.stop()
    await channel.publisher.publish(9)
    await asyncio.sleep(0.1)
    assert recorder.invalidated == []
    assert not listener.status().subscribed


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[CuttableProxy]:
    parts = urlsplit(redis_url)
    proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.start()
    yield proxy
    await proxy.stop()


@pytest.mark.redis
async def test_the_redis_listener_recovers_from_a_lost_connection(
    proxy: CuttableProxy, redis_channel: Channel, redis_key_prefix: str
) -> None:
    recorder = Recorder()
    client = Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0", socket_timeout=0.5, socket_connect_timeout=0.5)
    listener = RedisInvalidationListener(client, key_prefix=redis_key_prefix, retry_s=0.05, wait_s=5.0)
    publisher = redis_channel.publisher
    await listener.start(recorder.invalidate, recorder.resubscribe)
    try:
        assert listener.status().subscribed
        await publisher.publish(3)
        await recorder.wait(lambda: recorder.invalidated == [3])

        proxy.cut()  # the subscription is lost; what is published meanwhile is missed
        await asyncio.sleep(0.2)
        assert not listener.status().subscribed
        assert listener.status().failures >= 1
        await publisher.publish(4)

        proxy.restore()
        await recorder.wait(lambda: recorder.resubscribed == 1)  # everything local is dropped: 4 may have been missed
        assert await listener.wait_subscribed(0)
        await publisher.publish(5)
        await recorder.wait(lambda: recorder.invalidated == [3, 5])
        assert listener.status().received == 2
    finally:
        await listener.stop()
        await client.aclose()
