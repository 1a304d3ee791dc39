"""EventQueue contract: FIFO per person, all or nothing within the capacity, close, waiting takes."""

from __future__ import annotations

import asyncio

import pytest

from flagcore.domain.persons import IngestEvent
from flagcore.ports.event_queue import QueueFullError
from tests.contract.event_queue.conftest import QueueFactory


def event(distinct_id: str, n: int = 0) -> IngestEvent:
    return IngestEvent(project_id=1, event="$set", distinct_id=distinct_id, set={"n": n}, properties={"k": [n]})


async def drain(queue: object, rounds: int = 50) -> list[IngestEvent]:
    taken: list[IngestEvent] = []
    for _ in range(rounds):
        batch = await queue.take(7, wait_s=0)  # type: ignore[attr-defined]
        taken += batch
        if not batch:
            break
    return taken


async def test_one_persons_events_come_out_in_order_and_intact(queues: QueueFactory) -> None:
    queue = queues(100)
    sent = [event("p", n) for n in range(20)]
    await queue.put(sent[:5])
    await queue.put(sent[5:])
    first = await queue.take(3, wait_s=0)
    assert first == sent[:3]
    assert len(queue) == 17
    assert first + await drain(queue) == sent
    assert len(queue) == 0


async def test_a_request_that_does_not_fit_is_refused_whole(queues: QueueFactory) -> None:
    queue = queues(3)
    await queue.put([event("a"), event("b")])
    with pytest.raises(QueueFullError):
        await queue.put([event("c"), event("d")])
    assert sorted(e.distinct_id for e in await drain(queue)) == ["a", "b"]
    await queue.put([event("c"), event("d"), event("e")])
    assert len(await drain(queue)) == 3


async def test_close_refuses_puts_and_keeps_what_is_queued(queues: QueueFactory) -> None:
    queue = queues(10)
    await queue.put([event("a"), event("b")])
    queue.close()
    with pytest.raises(QueueFullError):
        await queue.put([event("c")])
    assert sorted(e.distinct_id for e in await drain(queue)) == ["a", "b"]


async def test_take_waits_for_the_first_event(queues: QueueFactory) -> None:
    queue = queues(10)
    assert await queue.take(5, wait_s=0.05) == []
    waiting = asyncio.create_task(queue.take(5, wait_s=5))
    await asyncio.sleep(0.01)
    await queue.put([event("a")])
    assert [e.distinct_id for e in await asyncio.wait_for(waiting, 5)] == ["a"]
