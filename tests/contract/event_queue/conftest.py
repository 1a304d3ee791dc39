from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from flagcore.adapters.memory.event_queue import MemoryEventQueue
from flagcore.adapters.redis.event_queue import RedisEventQueue
from flagcore.ports.event_queue import EventQueue

#: Builds a queue of the given capacity (several calls on one backend: queues of several processes).
QueueFactory = Callable[[int], EventQueue]


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def memory_queues() -> QueueFactory:
    return MemoryEventQueue


@pytest.fixture
def redis_queues(redis_client: Redis, redis_key_prefix: str) -> QueueFactory:
    def make(capacity: int) -> EventQueue:
        return RedisEventQueue(redis_client, capacity=capacity, key_prefix=redis_key_prefix, processes=2)

    return make


@pytest.fixture(params=[pytest.param("memory_queues", id="memory"), pytest.param("redis_queues", id="redis")])
def queues(request: pytest.FixtureRequest) -> QueueFactory:
    factory: QueueFactory = request.getfixturevalue(request.param)
    return factory
