"""The queue between capture and ingestion: capture acknowledges once events are in it, a worker drains it."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from flagcore.domain.persons import IngestEvent
from flagcore.ports.errors import BackendUnavailableError


class QueueFullError(BackendUnavailableError):
    """The queue cannot take the request's events now (503: the SDK retries later; nothing was accepted)."""

    code = "queue_full"

    def __init__(self) -> None:
        super().__init__("transient error, please retry", reason="the ingestion queue is full")


class EventQueue(Protocol):
    """A bounded FIFO of accepted events. Events of one request go in together, or not at all."""

    @abstractmethod
    async def put(self, events: Sequence[IngestEvent]) -> None:
        """Append ``events`` in order.

        Raises:
            QueueFullError: they do not fit (none was appended), or the queue is closed.
        """
        ...

    @abstractmethod
    async def take(self, max_events: int, *, wait_s: float) -> list[IngestEvent]:
        """Up to ``max_events`` of the oldest events, removed; waits at most ``wait_s`` for the first one."""
        ...

    @abstractmethod
    def close(self) -> None:
        """Refuse further ``put``s; what is queued can still be taken."""
        ...

    @abstractmethod
    def __len__(self) -> int:
        """How many events wait."""
        ...
