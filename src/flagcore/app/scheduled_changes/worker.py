"""The scheduled change worker: every instance runs the due changes every ``interval_s``, in the background.

Instances need no coordination: each change is claimed by one of them at a time (see ``executor.py``), so running
the worker everywhere only shortens the delay, never runs a change twice. A run that fails (the database is away)
is logged and tried again at the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Final

from flagcore.app.scheduled_changes.executor import RunReport, RunScheduledChanges
from flagcore.ports.errors import BackendUnavailableError

logger = logging.getLogger("flagcore.scheduled_changes")
_LOG_EVERY_S: Final = 60.0
#: Changes run between checks for shutdown: stopping waits for at most this many.
_CHUNK: Final = 50


class ScheduledChangeWorker:
    def __init__(self, run: RunScheduledChanges, *, interval_s: float, enabled: bool = True) -> None:
        self._run = run
        self._interval_s = interval_s
        self._enabled = enabled
        self._task: asyncio.Task[None] | None = None
        self._tick_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._logged_at = -_LOG_EVERY_S
        self.runs = 0

    def start(self) -> None:
        """Start running due changes now and then every ``interval_s`` (idempotent; at start-up, not in a request)."""
        if self._enabled and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="flagcore-scheduled-changes")

    async def stop(self) -> None:
        """Stop once the changes being run are done: a change is never cut in the middle of its transaction."""
        self._stopping = True
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self._tick_task is not None:
            await self._tick_task  # _tick never raises
        self._task = None

    async def _loop(self) -> None:
        while not self._stopping:
            self._tick_task = asyncio.ensure_future(self._tick())
            await asyncio.shield(self._tick_task)
            await asyncio.sleep(self._interval_s)

    async def run_once(self) -> None:
        """Run the due changes now (what a tick does), in chunks, until none is left or the worker stops."""
        while not self._stopping:
            report = await self._run.execute(limit=_CHUNK)
            self._log(report)
            if (
                report.applied + report.failed + report.finished < _CHUNK
            ):  # changes awaiting approval wait for the next tick
                return

    async def _tick(self) -> None:
        try:
            await self.run_once()
        except BackendUnavailableError as exc:
            now = time.monotonic()
            if now - self._logged_at >= _LOG_EVERY_S:
                self._logged_at = now
                logger.warning("scheduled changes not run: the database is unavailable: %r", exc.__cause__)
        except Exception:  # a bug must not stop scheduled changes for the life of the process
            logger.exception("running scheduled changes failed")
        else:
            self.runs += 1

    @staticmethod
    def _log(report: RunReport) -> None:
        if report.applied or report.failed or report.finished:
            logger.info(
                "scheduled changes: %d applied, %d failed, %d finished", report.applied, report.failed, report.finished
            )
