"""Work a request starts and does not wait for (filling a static cohort from a flag), in this process.

Jobs run as tasks of the app's event loop; the app keeps a reference to each until it ends (a task nobody holds may
be collected mid-run). At shutdown running jobs get ``stop_s`` to finish and are then cancelled; a job must leave
its results consistent when cancelled between its writes (each write is its own transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger("flagcore.background")


class BackgroundJobs:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run ``work`` in the background; its failure is logged, never raised to anyone."""
        task = asyncio.get_running_loop().create_task(self._guarded(work, name), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __len__(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until no job runs (tests, benchmarks; polls, so it works from another event loop too)."""
        while self._tasks:  # noqa: ASYNC110 - a test/benchmark helper, not a hot path
            await asyncio.sleep(0.005)

    async def stop(self, *, stop_s: float = 10.0) -> None:
        """Give running jobs ``stop_s`` to finish, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(list(self._tasks), timeout=stop_s)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if pending:
            logger.warning("%d background jobs cancelled at shutdown", len(pending))

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, None], name: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:  # a background job has no caller to raise to
            logger.exception("background job %s failed", name)
