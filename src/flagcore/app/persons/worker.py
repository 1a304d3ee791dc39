"""The ingestion worker: drains the event queue in batches, off the request path.

One worker per process applies batches one after another, so events of one person are applied in the order they
were queued. On shutdown the queue stops taking events and the worker applies what is left before it stops (up to
``drain_s``). A batch that fails because the store is down is retried after a pause, never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from flagcore.app.persons.ingest_events import IngestEvents
from flagcore.domain.persons import IngestEvent
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.event_queue import EventQueue

logger = logging.getLogger("flagcore.ingestion")


class IngestionWorker:
    def __init__(self, queue: EventQueue, ingest: IngestEvents, *, batch_size: int = 500, retry_s: float = 1.0) -> None:
        self._queue = queue
        self._ingest = ingest
        self._batch_size = batch_size
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._busy = False
        self.applied = 0

    def start(self) -> None:
        """Start draining (idempotent)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="flagcore-ingestion")

    async def stop(self, *, drain_s: float = 10.0) -> int:
        """Refuse new events, apply the queued ones (at most ``drain_s``), stop; the number left unapplied."""
        self._queue.close()
        self._stopping = True
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._task), drain_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        left = len(self._queue)
        if left:
            logger.warning("ingestion stopped with %d events not applied", left)
        return left

    async def flush(self) -> None:
        """Wait until everything queued now is applied (tests, benchmarks)."""
        if self._task is None or self._task.done():
            while len(self._queue):
                await self._apply(await self._queue.take(self._batch_size, wait_s=0))
            return
        while len(self._queue) or self._busy:  # noqa: ASYNC110 - a test/benchmark helper, not a hot path
            await asyncio.sleep(0.005)

    async def _run(self) -> None:
        while not (self._stopping and not len(self._queue)):
            batch = await self._queue.take(self._batch_size, wait_s=0.1)
            if batch:
                self._busy = True
                try:
                    await self._apply(batch)
                finally:
                    self._busy = False

    async def _apply(self, batch: list[IngestEvent]) -> None:
        while batch:
            try:
                result = await self._ingest.execute(batch)
            except BackendUnavailableError:
                logger.warning("ingestion store unavailable; retrying %d events", len(batch), exc_info=True)
                await asyncio.sleep(self._retry_s)
                continue
            except Exception:  # a bug must not kill the worker: the batch is logged and the worker goes on
                logger.exception("ingestion batch of %d events failed", len(batch))
                return
            self.applied += result.applied
            return
