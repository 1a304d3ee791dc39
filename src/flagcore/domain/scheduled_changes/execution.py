"""What running a due change means for the change itself (the flag update is ``operations.flag_update``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from flagcore.domain.scheduled_changes.model import ScheduledChange
from flagcore.domain.scheduled_changes.recurrence import next_run

Step = Literal["skip", "finish", "apply"]


def is_due(change: ScheduledChange, now: datetime) -> bool:
    """Pending, its time has come, not paused and not waiting out a retry delay."""
    return (
        change.executed_at is None
        and change.scheduled_at <= now
        and not change.is_paused
        and (change.retry_after is None or change.retry_after <= now)
    )


def next_step(change: ScheduledChange, now: datetime) -> Step:
    """``skip`` a change that is not due, ``finish`` a recurring one past its end date, else ``apply`` it."""
    if not is_due(change, now):
        return "skip"
    if change.is_recurring and change.end_date is not None and change.end_date <= now:
        return "finish"
    return "apply"


def finished(change: ScheduledChange, now: datetime) -> ScheduledChange:
    """A recurring change whose end date has passed: done, without running again."""
    return msgspec.structs.replace(change, executed_at=now, updated_at=now)


def succeeded(change: ScheduledChange, now: datetime) -> ScheduledChange:
    """``change`` after a successful run.

    A one-time change is done; a recurring one moves to its next occurrence, or is done when that is past its end
    date. Failures of earlier attempts are forgotten.
    """
    cleared = msgspec.structs.replace(
        change, failure_count=0, failure_reason=None, retry_after=None, updated_at=now, last_executed_at=now
    )
    if not change.is_recurring:
        return msgspec.structs.replace(cleared, executed_at=now)
    upcoming = next_run(change, now)
    if upcoming is None or (change.end_date is not None and upcoming > change.end_date):
        return msgspec.structs.replace(cleared, executed_at=now)
    return msgspec.structs.replace(cleared, scheduled_at=upcoming)
