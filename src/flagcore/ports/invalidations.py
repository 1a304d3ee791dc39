"""Telling every instance that a project's snapshots changed, so each drops its in-process copies at once."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import Protocol

import msgspec

OnInvalidate = Callable[[int], Awaitable[None]]
OnResubscribe = Callable[[], Awaitable[None]]


class InvalidationPublisher(Protocol):
    @abstractmethod
    async def publish(self, project_id: int) -> None:
        """Announce that the project's snapshots changed.

        Best effort: a lost message is bounded by the refresh window of every instance.

        Raises:
            BackendUnavailableError: the channel is down (the caller logs it; the write itself succeeded).
        """
        ...


class ListenerStatus(msgspec.Struct, frozen=True, kw_only=True):
    subscribed: bool
    received: int
    failures: int


class InvalidationListener(Protocol):
    """Receives what publishers announce, in every instance, until stopped."""

    @abstractmethod
    async def start(self, on_invalidate: OnInvalidate, on_resubscribe: OnResubscribe) -> None:
        """Start listening: ``on_invalidate`` gets each announced project id.

        ``on_resubscribe`` is called after the subscription was lost and re-established (messages may be missing:
        drop every copy). Returns once listening, or after a short wait if the channel is down (it keeps retrying
        in the background).
        """
        ...

    @abstractmethod
    async def stop(self) -> None:
        """Stop listening (idempotent)."""
        ...

    @abstractmethod
    def status(self) -> ListenerStatus:
        """Whether the subscription is up, and counters since start."""
        ...
