"""In-process ``EventQueue``: a bounded deque. What it holds is lost if the process dies (docs/persons.md)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Sequence

from flagcore.domain.persons import IngestEvent
from flagcore.ports.event_queue import EventQueue, QueueFullError


class MemoryEventQueue(EventQueue):
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._events: deque[IngestEvent] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    async def put(self, events: Sequence[IngestEvent]) -> None:
        if self._closed or len(self._events) + len(events) > self._capacity:
            raise QueueFullError
        self._events.extend(events)
        if self._events:
            self._ready.set()

    async def take(self, max_events: int, *, wait_s: float) -> list[IngestEvent]:
        if not self._events:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), wait_s)
        taken = [self._events.popleft() for _ in range(min(max_events, len(self._events)))]
        if not self._events:
            self._ready.clear()
        return taken

    def close(self) -> None:
        self._closed = True

    def __len__(self) -> int:
        return len(self._events)
