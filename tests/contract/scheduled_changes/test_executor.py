"""Running due changes: applied once through the flag write path, not before their time, failures recorded with
their reason and retried a bounded number of times, recurring changes moved on; on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec

from flagcore.app.flags.update_flag import UpdateFlag, UpdateFlagCommand
from flagcore.app.scheduled_changes.executor import RunReport
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.scheduled_changes import formatted_failure_reason
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.unit_of_work import UnitOfWork
from tests.contract.scheduled_changes.runners import NOW, RETRY_S, Runner
from tests.contract.seed import PROJECT_ID

OFF = {"operation": "update_status", "value": False}
ON = {"operation": "update_status", "value": True}


async def current(runner: Runner, flag: FeatureFlag) -> FeatureFlag:
    found = await runner.flags.get(PROJECT_ID, flag.id)
    assert found is not None
    return found


async def test_a_due_change_is_applied_once_and_recorded_in_the_activity_log(runner: Runner) -> None:
    flag = await runner.flag()
    change = await runner.schedule(flag, OFF, scheduled_at=NOW - timedelta(minutes=5))
    assert await runner.run().execute() == RunReport(applied=1)
    after = await current(runner, flag)
    assert (after.active, after.version, after.last_modified_by_id) == (False, flag.version + 1, flag.created_by_id)
    done = await runner.change(change.id)
    assert (done.executed_at, done.last_executed_at, done.failure_reason) == (NOW, NOW, None)
    assert await runner.activities(flag) == ["updated", "created"]
    assert await runner.run().execute() == RunReport()
    assert (await current(runner, flag)).version == flag.version + 1


async def test_a_change_not_yet_due_waits_for_its_time(runner: Runner) -> None:
    flag = await runner.flag()
    change = await runner.schedule(flag, OFF, scheduled_at=NOW + timedelta(minutes=1))
    assert await runner.run().execute() == RunReport()
    assert (await current(runner, flag)).active
    runner.clock.advance(timedelta(minutes=1))
    assert await runner.run().execute() == RunReport(applied=1)
    assert not (await current(runner, flag)).active
    assert (await runner.change(change.id)).executed_at == NOW + timedelta(minutes=1)


async def test_each_operation_changes_the_flag(runner: Runner) -> None:
    flag = await runner.flag()
    condition = {
        "operation": "add_release_condition",
        "value": {"groups": [{"properties": [], "rollout_percentage": 5}]},
    }
    variants = {
        "operation": "update_variants",
        "value": {
            "variants": [{"key": "a", "rollout_percentage": 70}, {"key": "b", "rollout_percentage": 30}],
            "payloads": {"a": {"x": 1}},
        },
    }
    await runner.schedule(flag, condition, scheduled_at=NOW - timedelta(minutes=2))
    await runner.schedule(flag, variants, scheduled_at=NOW - timedelta(minutes=1))
    assert await runner.run().execute() == RunReport(applied=2)
    filters = (await current(runner, flag)).filters
    assert [g.rollout_percentage for g in filters.groups] == [100, 5]
    assert filters.variant_keys == ("a", "b")
    assert msgspec.json.decode(filters.payloads["a"]) == {"x": 1}


async def test_an_invalid_update_fails_for_good_with_its_reason_and_leaves_the_flag(runner: Runner) -> None:
    flag = await runner.flag()
    bad = {"operation": "update_variants", "value": {"variants": [{"key": "a", "rollout_percentage": 60}]}}
    change = await runner.schedule(flag, bad, scheduled_at=NOW - timedelta(minutes=1))
    gone = await runner.schedule(await runner.flag("gone"), OFF, record_id="999999")
    assert await runner.run().execute() == RunReport(failed=2)
    failed = await runner.change(change.id)
    assert (failed.executed_at, failed.failure_count) == (NOW, 1)
    assert formatted_failure_reason(failed.failure_reason) == (
        "Invalid variant rollout percentages: sum is 60, must be 100 (permanent error)"
    )
    assert failed.failure_reason is not None
    assert (failed.failure_reason.error_classification, failed.failure_reason.will_retry) == ("unrecoverable", False)
    missing = await runner.change(gone.id)
    assert formatted_failure_reason(missing.failure_reason) == "Feature flag not found (permanent error)"
    assert (await current(runner, flag)) == flag
    assert await runner.activities(flag) == ["created"]
    assert await runner.run().execute() == RunReport()


class FlakyUpdateFlag(UpdateFlag):
    """The real write path, failing as if the database went away for the first ``failures`` writes."""

    def __init__(self, runner: Runner, failures: int) -> None:
        super().__init__(runner.transactions, runner.snapshots, runner.clock, runner.cipher)
        self.failures = failures

    async def write(self, uow: UnitOfWork, cmd: UpdateFlagCommand, *, commit_when_gated: bool = True) -> FeatureFlag:
        if self.failures:
            self.failures -= 1
            raise BackendUnavailableError("database unavailable")
        return await super().write(uow, cmd, commit_when_gated=commit_when_gated)


async def test_a_recoverable_failure_is_retried_after_the_delay_then_applied(runner: Runner) -> None:
    flag = await runner.flag()
    change = await runner.schedule(flag, OFF)
    run = runner.run(FlakyUpdateFlag(runner, failures=2))
    assert await run.execute() == RunReport(failed=1)
    first = await runner.change(change.id)
    assert (first.failure_count, first.executed_at, first.retry_after) == (1, None, NOW + timedelta(seconds=RETRY_S))
    assert formatted_failure_reason(first.failure_reason) == (
        "database unavailable (will retry automatically, 4 attempts remaining)"
    )
    assert await run.execute() == RunReport()  # not before the delay
    runner.clock.advance(timedelta(seconds=RETRY_S))
    assert await run.execute() == RunReport(failed=1)
    runner.clock.advance(timedelta(seconds=RETRY_S))
    assert await run.execute() == RunReport(applied=1)
    done = await runner.change(change.id)
    assert (done.failure_count, done.failure_reason, done.executed_at) == (0, None, runner.clock.now())
    assert not (await current(runner, flag)).active


async def test_retries_are_bounded(runner: Runner) -> None:
    flag = await runner.flag()
    change = await runner.schedule(flag, OFF)
    run = runner.run(FlakyUpdateFlag(runner, failures=100))
    for _ in range(5):
        assert await run.execute() == RunReport(failed=1)
        runner.clock.advance(timedelta(seconds=RETRY_S))
    assert await run.execute() == RunReport()
    gave_up = await runner.change(change.id)
    assert gave_up.failure_count == 5
    assert gave_up.executed_at is not None
    assert formatted_failure_reason(gave_up.failure_reason) == "database unavailable (failed after 5 out of 5 attempts)"
    assert (await current(runner, flag)).active


async def test_a_recurring_change_runs_at_each_occurrence_until_its_end_date(runner: Runner) -> None:
    flag = await runner.flag()
    end = NOW + timedelta(days=2, hours=1)
    change = await runner.schedule(flag, OFF, is_recurring=True, recurrence_interval="daily", end_date=end)
    toggle = await runner.schedule(flag, ON, is_recurring=True, cron_expression="30 8 * * *", end_date=end)
    assert await runner.run().execute() == RunReport(applied=2)
    moved = await runner.change(change.id)
    assert (moved.executed_at, moved.scheduled_at, moved.last_executed_at) == (None, NOW + timedelta(days=1), NOW)
    assert (await runner.change(toggle.id)).scheduled_at == NOW + timedelta(minutes=30)
    assert await runner.run().execute() == RunReport()
    runner.clock.advance(timedelta(minutes=30))
    assert await runner.run().execute() == RunReport(applied=1)
    assert (await current(runner, flag)).active
    runner.clock.advance(timedelta(days=1))  # both due; the daily one's next run (day 2, 08:00) is within the end
    assert await runner.run().execute() == RunReport(applied=2)
    runner.clock.advance(timedelta(days=1))  # day 2: the daily one runs, its next run is past the end: done
    assert await runner.run().execute() == RunReport(applied=2)
    assert (await runner.change(change.id)).executed_at == runner.clock.now()
    assert (await runner.change(toggle.id)).executed_at == runner.clock.now()


async def test_a_paused_change_does_not_run_and_an_ended_one_finishes(runner: Runner) -> None:
    flag = await runner.flag()
    paused = await runner.schedule(flag, OFF, recurrence_interval="daily")
    ended = await runner.schedule(flag, OFF, is_recurring=True, recurrence_interval="daily", end_date=NOW)
    assert await runner.run().execute() == RunReport(finished=1)
    assert (await runner.change(paused.id)).executed_at is None
    assert (await runner.change(ended.id)).executed_at == NOW
    assert (await current(runner, flag)).active


async def test_concurrent_runners_apply_each_change_once(runner: Runner) -> None:
    flags = [await runner.flag(f"f{i}") for i in range(6)]
    for flag in flags:
        await runner.schedule(flag, OFF, scheduled_at=NOW - timedelta(seconds=flag.id))
    reports = await asyncio.gather(*(runner.run().execute() for _ in range(3)))
    assert sum(r.applied for r in reports) == 6
    assert sum(r.failed for r in reports) == 0
    for flag in flags:
        assert await runner.activities(flag) == ["updated", "created"]
        assert (await current(runner, flag)).version == flag.version + 1
