"""A scheduled change: an operation on one flag, due at a time, once or on a recurrence (PostHog's model).

``scheduled_at`` is the next time the change runs. A one-time change is done once ``executed_at`` is set (it
succeeded, or failed for good); a recurring one moves ``scheduled_at`` to its next occurrence after each run.
``retry_after`` holds back a change whose last attempt failed until the retry delay has passed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Final, Literal

import msgspec

RecurrenceInterval = Literal["daily", "weekly", "monthly", "yearly"]
RECURRENCE_INTERVALS: Final = ("daily", "weekly", "monthly", "yearly")
#: The models a change can target. PostHog's older versions also scheduled surveys; flagcore has only flags.
FEATURE_FLAG: Final = "FeatureFlag"
MODEL_NAMES: Final = (FEATURE_FLAG,)
#: Longest ``record_id`` (PostHog's column).
MAX_RECORD_ID: Final = 200


class Operation(StrEnum):
    UPDATE_STATUS = "update_status"
    ADD_RELEASE_CONDITION = "add_release_condition"
    UPDATE_VARIANTS = "update_variants"


class FailureReason(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Why the last attempt failed, stored as PostHog stores it (JSON), and what happens next."""

    error: str
    error_type: str
    hostname: str = ""
    will_retry: bool = False
    retry_count: int = 0
    max_retries: int = 5
    retry_exhausted: bool = False
    error_classification: Literal["recoverable", "unrecoverable"] = "recoverable"


class ScheduledChange(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    project_id: int
    record_id: str
    model_name: str = FEATURE_FLAG
    payload: dict[str, Any]
    scheduled_at: datetime
    executed_at: datetime | None = None
    failure_reason: FailureReason | None = None
    failure_count: int = 0
    retry_after: datetime | None = None
    created_at: datetime
    updated_at: datetime
    created_by_id: int | None = None
    is_recurring: bool = False
    recurrence_interval: RecurrenceInterval | None = None
    cron_expression: str | None = None
    last_executed_at: datetime | None = None
    end_date: datetime | None = None
    timezone: str | None = None

    @property
    def is_paused(self) -> bool:
        """A recurring change switched off: not recurring, but its recurrence kept (PostHog's "paused")."""
        return not self.is_recurring and (self.recurrence_interval is not None or self.cron_expression is not None)

    @property
    def flag_id(self) -> int | None:
        """The target flag's id, or None when ``record_id`` is not one."""
        return int(self.record_id) if self.record_id.isdecimal() and self.record_id.isascii() else None


class NewScheduledChange(msgspec.Struct, frozen=True, kw_only=True):
    """A validated change ready to be stored; the repository assigns ``id``."""

    project_id: int
    record_id: str
    model_name: str
    payload: dict[str, Any]
    scheduled_at: datetime
    created_at: datetime
    created_by_id: int | None
    is_recurring: bool
    recurrence_interval: RecurrenceInterval | None
    cron_expression: str | None
    end_date: datetime | None
    timezone: str | None
