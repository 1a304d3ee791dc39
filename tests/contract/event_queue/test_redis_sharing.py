"""The Redis queue across processes: a person's events are drained by one process at a time, in order."""

from __future__ import annotations

from redis.asyncio import Redis

from flagcore.adapters.redis.event_queue import SHARDS, RedisEventQueue
from flagcore.domain.persons import IngestEvent


def event(distinct_id: str, n: int) -> IngestEvent:
    return IngestEvent(project_id=1, event="$set", distinct_id=distinct_id, set={"n": n})


async def test_two_processes_share_the_shards_and_keep_each_persons_order(
    redis_client: Redis, redis_key_prefix: str
) -> None:
    a = RedisEventQueue(redis_client, capacity=10_000, key_prefix=redis_key_prefix, processes=2)
    b = RedisEventQueue(redis_client, capacity=10_000, key_prefix=redis_key_prefix, processes=2)
    persons = [f"p{i}" for i in range(40)]
    # Both take before anything is queued, so each claims its fair share of the shards first.
    assert await a.take(1, wait_s=0) == []
    assert await b.take(1, wait_s=0) == []
    for n in range(5):
        await a.put([event(p, n) for p in persons])
    seen: dict[str, list[tuple[str, int]]] = {p: [] for p in persons}
    for _ in range(100):
        got_a, got_b = await a.take(13, wait_s=0), await b.take(13, wait_s=0)
        for name, got in (("a", got_a), ("b", got_b)):
            for e in got:
                seen[e.distinct_id].append((name, e.set["n"]))
        if not got_a and not got_b:
            break
    for person, taken in seen.items():
        assert [n for _, n in taken] == list(range(5)), person
        assert len({name for name, _ in taken}) == 1, person  # one process per person
    assert {name for taken in seen.values() for name, _ in taken} == {"a", "b"}  # the work was shared


async def test_a_stopped_process_hands_its_shards_over(redis_client: Redis, redis_key_prefix: str) -> None:
    a = RedisEventQueue(redis_client, capacity=10_000, key_prefix=redis_key_prefix, processes=1)
    b = RedisEventQueue(redis_client, capacity=10_000, key_prefix=redis_key_prefix, processes=1)
    assert await a.take(1, wait_s=0) == []  # a holds every shard
    await b.put([event(f"p{i}", 0) for i in range(3 * SHARDS)])
    assert await b.take(100, wait_s=0) == []  # nothing for b while a holds them
    taken = await a.take(5, wait_s=0)
    assert len(taken) == 5
    await a.release()  # a stops without draining (the end of its shutdown): the rest stays queued
    rest = await b.take(1000, wait_s=0)
    assert len(taken) + len(rest) == 3 * SHARDS
    assert {e.distinct_id for e in taken}.isdisjoint({e.distinct_id for e in rest})


async def test_the_ingestion_worker_drains_the_redis_queue_in_order(redis_client: Redis, redis_key_prefix: str) -> None:
    from datetime import UTC, datetime  # noqa: PLC0415 - this test only

    from flagcore.adapters.memory import FixedClock, MemoryUnitOfWorkFactory  # noqa: PLC0415
    from flagcore.app.persons.ingest_events import IngestEvents  # noqa: PLC0415
    from flagcore.app.persons.worker import IngestionWorker  # noqa: PLC0415
    from tests.memory_stack import memory_stores  # noqa: PLC0415

    class _Snapshots:
        async def invalidate(self, project_id: int) -> None:
            pass

    stores = memory_stores()
    ingest = IngestEvents(MemoryUnitOfWorkFactory(stores), _Snapshots(), FixedClock(datetime(2026, 1, 1, tzinfo=UTC)))  # type: ignore[arg-type]
    queue = RedisEventQueue(redis_client, capacity=10_000, key_prefix=redis_key_prefix)
    worker = IngestionWorker(queue, ingest, batch_size=7)
    worker.start()
    for n in range(30):
        await queue.put([event("u", n), event("v", n)])
    assert await worker.stop(drain_s=10) == 0
    await queue.release()
    for distinct_id in ("u", "v"):
        person = await stores.persons.by_distinct_id(1, distinct_id)
        assert person is not None
        assert person.properties == {"n": 29}


async def test_an_idle_queue_is_polled_less_and_less_often(redis_client: Redis, redis_key_prefix: str) -> None:
    """An idle poll costs a lease renewal and an LPOP per held shard: at a fixed 20 ms, 50 a second per process."""
    queue = RedisEventQueue(redis_client, capacity=100, key_prefix=redis_key_prefix)
    polls = 0
    take_once = queue._take_once

    async def counted(max_events: int) -> list[IngestEvent]:
        nonlocal polls
        polls += 1
        return await take_once(max_events)

    queue._take_once = counted  # type: ignore[method-assign]
    assert await queue.take(10, wait_s=1.0) == []
    assert polls <= 12  # 20, 40, 80, 160 ms, then every 250 ms (about 50 at a fixed 20 ms)
    await queue.put([event("p", 1)])
    assert [e.distinct_id for e in await queue.take(10, wait_s=1.0)] == ["p"]
    assert queue._poll_s == 0.02
