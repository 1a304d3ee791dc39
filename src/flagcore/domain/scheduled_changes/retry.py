"""Failed runs: which errors are worth retrying, how often, and how the reason is shown.

A recoverable failure (the database was away, a concurrent write won) leaves the change pending, to be tried again
after a delay, up to ``MAX_RETRIES`` attempts in all. An unrecoverable one (the payload or the flag update is
invalid, the flag is gone), or the last allowed attempt, ends the change: ``executed_at`` is set.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final, Literal

import msgspec

from flagcore.domain.scheduled_changes.model import FailureReason, ScheduledChange

MAX_RETRIES: Final = 5
#: Messages that mark an error as unrecoverable whatever its type (PostHog's list).
_UNRECOVERABLE_MESSAGES: Final = (
    "invalid payload",
    "unrecognized operation",
    "does not exist",
    "not found",
    "constraint",
    "foreign key",
)


def classify(message: str, *, invalid_input: bool) -> Literal["recoverable", "unrecoverable"]:
    """``invalid_input``: the error says the change itself is wrong (a validation or not-found error)."""
    lowered = message.lower()
    if invalid_input or any(marker in lowered for marker in _UNRECOVERABLE_MESSAGES):
        return "unrecoverable"
    return "recoverable"


def failed(
    change: ScheduledChange,
    *,
    error: str,
    error_type: str,
    invalid_input: bool,
    hostname: str,
    now: datetime,
    retry_delay: timedelta,
) -> ScheduledChange:
    """``change`` after a failed attempt: retried after ``retry_delay``, or finished for good."""
    count = change.failure_count + 1
    classification = classify(error, invalid_input=invalid_input)
    exhausted = count >= MAX_RETRIES
    will_retry = classification == "recoverable" and not exhausted
    reason = FailureReason(
        error=error,
        error_type=error_type,
        hostname=hostname,
        will_retry=will_retry,
        retry_count=count,
        max_retries=MAX_RETRIES,
        retry_exhausted=exhausted and classification == "recoverable",
        error_classification=classification,
    )
    return msgspec.structs.replace(
        change,
        failure_count=count,
        failure_reason=reason,
        retry_after=now + retry_delay if will_retry else None,
        executed_at=None if will_retry else now,
        updated_at=now,
    )


def formatted_failure_reason(reason: FailureReason | None) -> str | None:
    """The reason as the API shows it: the error and what became of the change."""
    if reason is None:
        return None
    if reason.retry_exhausted:
        return f"{reason.error} (failed after {reason.retry_count} out of {reason.max_retries} attempts)"
    if reason.error_classification == "unrecoverable":
        return f"{reason.error} (permanent error)"
    if reason.will_retry:
        left = reason.max_retries - reason.retry_count
        return f"{reason.error} (will retry automatically, {left} attempts remaining)"
    return reason.error
