"""Scheduled changes of flags: the model, its validation, recurrence, the flag update a run makes, retries."""

from __future__ import annotations

from flagcore.domain.scheduled_changes.cron import Cron, parse_cron
from flagcore.domain.scheduled_changes.errors import InvalidScheduledChangeError, ScheduledChangeNotFoundError
from flagcore.domain.scheduled_changes.execution import finished, is_due, next_step, succeeded
from flagcore.domain.scheduled_changes.model import (
    FEATURE_FLAG,
    FailureReason,
    NewScheduledChange,
    Operation,
    RecurrenceInterval,
    ScheduledChange,
)
from flagcore.domain.scheduled_changes.operations import FlagUpdate, flag_update, parse_payload
from flagcore.domain.scheduled_changes.recurrence import add_interval, next_run
from flagcore.domain.scheduled_changes.retry import MAX_RETRIES, classify, failed, formatted_failure_reason
from flagcore.domain.scheduled_changes.validation import ScheduleFields, new_change, updated_change

__all__ = (
    "FEATURE_FLAG",
    "MAX_RETRIES",
    "Cron",
    "FailureReason",
    "FlagUpdate",
    "InvalidScheduledChangeError",
    "NewScheduledChange",
    "Operation",
    "RecurrenceInterval",
    "ScheduleFields",
    "ScheduledChange",
    "ScheduledChangeNotFoundError",
    "add_interval",
    "classify",
    "failed",
    "finished",
    "flag_update",
    "formatted_failure_reason",
    "is_due",
    "new_change",
    "next_run",
    "next_step",
    "parse_cron",
    "parse_payload",
    "succeeded",
    "updated_change",
)
