"""In-process invalidation channel: the reference implementation of the publisher and listener ports.

Every listener started on one bus hears every publication on it. With one process (memory storage, or no Redis)
that is all the instances there are; tests use one bus for several apps in one process.
"""

from __future__ import annotations

import logging

from flagcore.ports.invalidations import (
    InvalidationListener,
    InvalidationPublisher,
    ListenerStatus,
    OnInvalidate,
    OnResubscribe,
)

logger = logging.getLogger(__name__)


class MemoryInvalidationBus(InvalidationPublisher):
    def __init__(self) -> None:
        self._listeners: list[MemoryInvalidationListener] = []

    def listener(self) -> MemoryInvalidationListener:
        """A new listener on this bus (it hears publications once started)."""
        listener = MemoryInvalidationListener(self)
        self._listeners.append(listener)
        return listener

    async def publish(self, project_id: int) -> None:
        for listener in list(self._listeners):
            await listener.deliver(project_id)


class MemoryInvalidationListener(InvalidationListener):
    def __init__(self, bus: MemoryInvalidationBus) -> None:
        self._bus = bus
        self._on_invalidate: OnInvalidate | None = None
        self.received = 0

    async def start(self, on_invalidate: OnInvalidate, on_resubscribe: OnResubscribe) -> None:
        del on_resubscribe  # an in-process bus never loses its subscription
        self._on_invalidate = on_invalidate

    async def stop(self) -> None:
        self._on_invalidate = None

    def status(self) -> ListenerStatus:
        return ListenerStatus(subscribed=self._on_invalidate is not None, received=self.received, failures=0)

    async def deliver(self, project_id: int) -> None:
        if self._on_invalidate is None:
            return
        self.received += 1
        try:
            await self._on_invalidate(project_id)
        except Exception:  # one listener's failure must not stop the others, nor the publisher's caller
            logger.exception("dropping the snapshots of project %s failed", project_id)
