"""The scheduled change worker: runs at start and every interval, survives failures, stops between changes."""

from __future__ import annotations

import asyncio

from flagcore.app.scheduled_changes.executor import RunReport, RunScheduledChanges
from flagcore.app.scheduled_changes.worker import ScheduledChangeWorker
from flagcore.ports.errors import BackendUnavailableError
from tests.memory_stack import MemoryStack


class ScriptedRun(RunScheduledChanges):
    """The real use case's interface with scripted outcomes: each call takes the next one (then empty reports)."""

    def __init__(self, outcomes: list[RunReport | Exception]) -> None:
        stack = MemoryStack()
        super().__init__(stack.uow, stack.update_flag(), stack.clock, retry_s=1)
        self.outcomes = outcomes
        self.calls = 0
        self.started = asyncio.Event()

    async def execute(self, *, limit: int = 10_000) -> RunReport:
        self.calls += 1
        self.started.set()
        outcome = self.outcomes.pop(0) if self.outcomes else RunReport()
        await asyncio.sleep(0.01)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


async def test_the_worker_keeps_running_after_failures() -> None:
    run = ScriptedRun([BackendUnavailableError("down"), RuntimeError("bug"), RunReport(applied=1)])
    worker = ScheduledChangeWorker(run, interval_s=0.01)
    worker.start()
    worker.start()  # idempotent
    for _ in range(200):
        if worker.runs >= 2:
            break
        await asyncio.sleep(0.01)
    await worker.stop()
    assert run.calls >= 4
    assert worker.runs >= 2


async def test_a_full_chunk_is_followed_by_another_at_once() -> None:
    run = ScriptedRun([RunReport(applied=50), RunReport(applied=3)])
    worker = ScheduledChangeWorker(run, interval_s=60)
    await worker.run_once()
    assert run.calls == 2


async def test_stop_waits_for_the_run_in_progress() -> None:
    run = ScriptedRun([RunReport(applied=1)])
    worker = ScheduledChangeWorker(run, interval_s=60)
    worker.start()
    await run.started.wait()  # the first run is in progress (it takes 10 ms)
    await worker.stop()
    assert (run.calls, worker.runs) == (1, 1)  # it finished, and no other started


async def test_a_disabled_worker_never_runs() -> None:
    run = ScriptedRun([])
    worker = ScheduledChangeWorker(run, interval_s=0.01, enabled=False)
    worker.start()
    await asyncio.sleep(0.05)
    await worker.stop()
    assert run.calls == 0
