from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from flagcore.adapters.memory import FixedClock, MemoryStores, MemoryUnitOfWorkFactory
from flagcore.adapters.memory.event_queue import MemoryEventQueue
from flagcore.app.persons.ingest_events import IngestEvents
from flagcore.app.persons.worker import IngestionWorker
from flagcore.domain.persons import IngestEvent
from flagcore.ports.event_queue import QueueFullError
from tests.memory_stack import memory_stores

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class _Snapshots:
    def __init__(self) -> None:
        self.invalidated: list[int] = []

    async def invalidate(self, project_id: int) -> None:
        self.invalidated.append(project_id)


def _set(distinct_id: str, **props: object) -> IngestEvent:
    return IngestEvent(project_id=1, event="$set", distinct_id=distinct_id, set=props)


def _stack() -> tuple[MemoryStores, IngestEvents, _Snapshots]:
    stores = memory_stores()
    snapshots = _Snapshots()
    return stores, IngestEvents(MemoryUnitOfWorkFactory(stores), snapshots, FixedClock(NOW)), snapshots  # type: ignore[arg-type]


async def test_a_full_queue_refuses_the_whole_request_and_keeps_what_it_holds() -> None:
    queue = MemoryEventQueue(capacity=3)
    await queue.put([_set("a"), _set("b")])
    with pytest.raises(QueueFullError):
        await queue.put([_set("c"), _set("d")])
    assert len(queue) == 2
    assert [e.distinct_id for e in await queue.take(10, wait_s=0)] == ["a", "b"]
    queue.close()
    with pytest.raises(QueueFullError):
        await queue.put([_set("e")])


async def test_take_waits_for_events() -> None:
    queue = MemoryEventQueue(capacity=10)
    assert await queue.take(5, wait_s=0.01) == []
    waiting = asyncio.create_task(queue.take(5, wait_s=5))
    await asyncio.sleep(0)
    await queue.put([_set("a")])
    assert [e.distinct_id for e in await waiting] == ["a"]


async def test_worker_applies_in_order_and_drains_on_stop() -> None:
    stores, ingest, _ = _stack()
    queue = MemoryEventQueue(capacity=1000)
    worker = IngestionWorker(queue, ingest, batch_size=7)
    worker.start()
    await queue.put([_set("u", n=i) for i in range(50)])
    await queue.put([_set("v", n=0)])
    assert await worker.stop(drain_s=5) == 0
    person = await stores.persons.by_distinct_id(1, "u")
    assert person is not None
    assert person.properties == {"n": 49}  # the last update wins: per-person order kept
    assert await stores.persons.by_distinct_id(1, "v") is not None
    assert worker.applied == 51


async def test_identify_of_a_known_anonymous_id_adds_the_new_id() -> None:
    stores, ingest, _ = _stack()
    events = [
        _set("a", x=1),
        IngestEvent(project_id=1, event="$identify", distinct_id="b", properties={"$anon_distinct_id": "a"}),
        _set("c", y=1),
    ]
    result = await ingest.execute(events)
    assert result.failed == 0
    merged = await stores.persons.by_distinct_id(1, "b")
    assert merged is not None
    assert set(merged.distinct_ids) == {"a", "b"}
    assert merged.is_identified


async def test_merge_of_two_persons_and_refused_merge_of_identified() -> None:
    stores, ingest, _ = _stack()
    await ingest.execute([_set("anon", a=1, shared="anon"), _set("user", b=2, shared="user")])
    await ingest.execute(
        [IngestEvent(project_id=1, event="$create_alias", distinct_id="user", properties={"alias": "anon"})]
    )
    merged = await stores.persons.by_distinct_id(1, "anon")
    assert merged is not None
    assert merged.properties == {"a": 1, "b": 2, "shared": "user"}
    assert await stores.persons.count(1) == 1
    await ingest.execute([_set("third", c=3)])
    await ingest.execute(
        [IngestEvent(project_id=1, event="$identify", distinct_id="third", properties={"$anon_distinct_id": "user"})]
    )
    assert await stores.persons.count(1) == 2  # the identified person is not merged into another


async def test_groupidentify_registers_the_type_and_invalidates_snapshots() -> None:
    stores, ingest, snapshots = _stack()
    props = {"$group_type": "company", "$group_key": "acme", "$group_set": {"tier": "gold"}}
    await ingest.execute([IngestEvent(project_id=1, event="$groupidentify", distinct_id="u", properties=props)])
    group = await stores.groups.get(1, 0, "acme")
    assert group is not None
    assert group.properties == {"tier": "gold"}
    assert snapshots.invalidated == [1]
    await ingest.execute([IngestEvent(project_id=1, event="$groupidentify", distinct_id="u", properties=props)])
    assert snapshots.invalidated == [1]  # a known type changes no snapshot
