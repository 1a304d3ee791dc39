"""Cross-instance invalidation over Redis pub/sub: the publisher, and a task that listens on the channel.

Each message names a project another instance has just invalidated; this process then drops its own copies, so it
serves the change at once instead of after its refresh window. Messages are best effort: while the subscription
is down they are lost, so on every re-subscription the process drops all its copies (each is re-validated by
ETag on its next use, which is cheap). The refresh window still bounds staleness if everything else fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.invalidations import (
    InvalidationListener,
    InvalidationPublisher,
    ListenerStatus,
    OnInvalidate,
    OnResubscribe,
)

logger = logging.getLogger(__name__)
_ERRORS: Final = (RedisError, OSError, TimeoutError)


def invalidation_channel(key_prefix: str = "") -> str:
    """The pub/sub channel on which invalidated project ids are published."""
    return f"{key_prefix}flagcore:snapshot_invalidations"


class RedisInvalidationPublisher(InvalidationPublisher):
    def __init__(self, client: Redis, *, key_prefix: str = "") -> None:
        self._client = client
        self._channel = invalidation_channel(key_prefix)

    async def publish(self, project_id: int) -> None:
        try:
            await self._client.publish(self._channel, str(project_id))
        except _ERRORS as exc:
            raise BackendUnavailableError("The Redis invalidation channel is unavailable.") from exc


async def _ignore_invalidate(project_id: int) -> None:
    del project_id


async def _ignore_resubscribe() -> None:
    return None


class RedisInvalidationListener(InvalidationListener):
    """Started and stopped with the app (the composition root does both).

    Args:
        client: a client for the same Redis the publishers use.
        key_prefix: the publishers' key prefix (it names the channel).
        retry_s: pause between reconnection attempts.
        wait_s: how long ``start`` waits for the subscription before returning (a Redis that is down does not
            block start-up; the listener keeps retrying).
    """

    def __init__(self, client: Redis, *, key_prefix: str = "", retry_s: float = 1.0, wait_s: float = 2.0) -> None:
        self._client = client
        self._channel = invalidation_channel(key_prefix)
        self._on_invalidate: OnInvalidate = _ignore_invalidate
        self._on_resubscribe: OnResubscribe = _ignore_resubscribe
        self._retry_s = retry_s
        self._wait_s = wait_s
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._lost = False
        #: Messages handled and subscription failures since start (for health and metrics).
        self.received = 0
        self.failures = 0

    @property
    def subscribed(self) -> bool:
        return self._subscribed.is_set()

    def status(self) -> ListenerStatus:
        return ListenerStatus(subscribed=self.subscribed, received=self.received, failures=self.failures)

    async def start(self, on_invalidate: OnInvalidate, on_resubscribe: OnResubscribe) -> None:
        self._on_invalidate = on_invalidate
        self._on_resubscribe = on_resubscribe
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="flagcore-snapshot-invalidations")
        # Serving before the subscription is up would miss invalidations; a Redis that is down does not block.
        await self.wait_subscribed(self._wait_s)

    async def wait_subscribed(self, timeout_s: float) -> bool:
        """Whether the subscription is up within ``timeout_s`` (start-up and tests wait on it)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), timeout_s)
        return self._subscribed.is_set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._subscribed.clear()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except _ERRORS as exc:
                self._subscribed.clear()
                self.failures += 1
                if not self._lost:  # one warning per outage, not one per retry
                    logger.warning("snapshot invalidation channel lost, retrying every %ss: %r", self._retry_s, exc)
                self._lost = True
                await asyncio.sleep(self._retry_s)

    async def _listen(self) -> None:
        async with self._client.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self._channel)
            self._subscribed.set()
            if self._lost:
                logger.warning("snapshot invalidation channel restored; dropping in-process snapshots")
                await self._on_resubscribe()
                self._lost = False
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    await self._handle(message.get("data"))

    async def _handle(self, data: object) -> None:
        try:
            project_id = int(data.decode() if isinstance(data, bytes) else str(data))
        except ValueError:
            logger.warning("ignoring malformed snapshot invalidation %r", data)
            return
        self.received += 1
        try:
            await self._on_invalidate(project_id)
        except Exception:  # a failing callback must not end the subscription; the refresh window still applies
            logger.exception("dropping the snapshots of project %s failed", project_id)
