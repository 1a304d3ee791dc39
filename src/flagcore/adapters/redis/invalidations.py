"""Cross-instance invalidation: a task that listens on the Redis channel the snapshot cache publishes on.

Each message names a project another instance has just invalidated; this process then drops its own copies, so it
serves the change at once instead of after its refresh window. Messages are best effort: while the subscription
is down they are lost, so on every re-subscription the process drops all its copies (each is re-validated by
ETag on its next use, which is cheap). The refresh window still bounds staleness if everything else fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_ERRORS: Final = (RedisError, OSError, TimeoutError)


class RedisInvalidationListener:
    """Started and stopped with the app (the composition root does both).

    Args:
        client: a client for the same Redis as the snapshot cache.
        channel: the channel the cache publishes on.
        on_invalidate: called with each invalidated project id.
        on_resubscribe: called after the subscription was lost and re-established (messages may be missing).
        retry_s: pause between reconnection attempts.
    """

    def __init__(
        self,
        client: Redis,
        *,
        channel: str,
        on_invalidate: Callable[[int], Awaitable[None]],
        on_resubscribe: Callable[[], Awaitable[None]],
        retry_s: float = 1.0,
    ) -> None:
        self._client = client
        self._channel = channel
        self._on_invalidate = on_invalidate
        self._on_resubscribe = on_resubscribe
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._lost = False
        #: Messages handled and subscription failures since start (for health and metrics).
        self.received = 0
        self.failures = 0

    @property
    def subscribed(self) -> bool:
        return self._subscribed.is_set()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="flagcore-snapshot-invalidations")

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
