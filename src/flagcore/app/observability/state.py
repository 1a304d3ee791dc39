"""What an app's observability holds at run time: its metrics, their publisher, the access log writer."""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Final

from litestar import Litestar
from prometheus_client.multiprocess import mark_process_dead

from flagcore.app.observability.logs import LogWriter
from flagcore.app.observability.metrics import Metrics
from flagcore.app.observability.sources import MetricsPublisher

STATE_KEY: Final = "flagcore.observability"
#: How often each worker copies its process-local numbers into the shared metric files (multi-process mode).
PUBLISH_EVERY_S: Final = 2.0


class Observability:
    def __init__(self, *, access: LogWriter | None) -> None:
        self.access = access
        self.metrics: Metrics | None = None
        self.publisher: MetricsPublisher | None = None
        self._task: asyncio.Task[None] | None = None

    def started(self, metrics: Metrics, publisher: MetricsPublisher) -> None:
        """The app started: its metrics and sources exist; with several workers, publish periodically."""
        self.metrics, self.publisher = metrics, publisher
        if metrics.multiprocess:
            self._task = asyncio.create_task(self._publish_forever(), name="flagcore-metrics-publisher")

    async def stopped(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.publisher is not None:
            self.publisher.publish()  # this worker's last tallies, before it goes
        if self.metrics is not None and self.metrics.multiprocess:
            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]  # this worker's live gauges stop counting
        if self.access is not None:
            self.access.flush()

    def scrape(self) -> bytes:
        """The exposition text, with this worker's process-local numbers published first."""
        if self.metrics is None or self.publisher is None:
            return b""
        self.publisher.publish()
        return self.metrics.render()

    async def _publish_forever(self) -> None:
        while True:
            await asyncio.sleep(PUBLISH_EVERY_S)
            if self.publisher is not None:
                self.publisher.publish()


def observability_of(app: Litestar) -> Observability:
    """The app's observability state (installed by ``install_observability``)."""
    state: Observability = app.state[STATE_KEY]
    return state
