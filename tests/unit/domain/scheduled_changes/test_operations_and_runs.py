"""The flag update each operation makes, what a run does to the change, and the retry policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from flagcore.domain.flags import FeatureFlag, parse_filters
from flagcore.domain.scheduled_changes import (
    MAX_RETRIES,
    FlagUpdate,
    InvalidScheduledChangeError,
    ScheduledChange,
    classify,
    failed,
    finished,
    flag_update,
    formatted_failure_reason,
    next_step,
    succeeded,
)

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
FLAG = FeatureFlag(
    id=7,
    project_id=1,
    key="f",
    created_at=NOW,
    filters=parse_filters({"groups": [{"properties": [], "rollout_percentage": 20}]}),
)
DELAY = timedelta(minutes=2)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"operation": "update_status", "value": False}, FlagUpdate(active=False)),
        (
            {"operation": "add_release_condition", "value": {"groups": [{"properties": [], "rollout_percentage": 5}]}},
            FlagUpdate(
                filters={
                    "groups": [
                        {"properties": [], "rollout_percentage": 20, "variant": None},
                        {"properties": [], "rollout_percentage": 5},
                    ]
                }
            ),
        ),
        (
            {
                "operation": "update_variants",
                "value": {"variants": [{"key": "a", "rollout_percentage": 100}], "payloads": {"a": {"x": 1}}},
            },
            FlagUpdate(
                filters={
                    "multivariate": {"variants": [{"key": "a", "rollout_percentage": 100}]},
                    "payloads": {"a": {"x": 1}},
                }
            ),
        ),
        (
            {"operation": "update_variants", "value": {"variants": [{"key": "a", "rollout_percentage": 100}]}},
            FlagUpdate(
                filters={"multivariate": {"variants": [{"key": "a", "rollout_percentage": 100}]}, "payloads": {}}
            ),
        ),
    ],
)
def test_each_operation_becomes_a_partial_flag_update(payload: dict[str, Any], expected: FlagUpdate) -> None:
    assert flag_update(payload, FLAG) == expected


def test_update_variants_is_checked_when_it_runs() -> None:
    payload = {"operation": "update_variants", "value": {"variants": [{"key": "a", "rollout_percentage": 40}]}}
    with pytest.raises(InvalidScheduledChangeError, match="sum is 40, must be 100"):
        flag_update(payload, FLAG)


def change(**fields: Any) -> ScheduledChange:
    base: dict[str, Any] = {
        "id": 1,
        "project_id": 1,
        "record_id": "7",
        "payload": {"operation": "update_status", "value": True},
        "scheduled_at": NOW - timedelta(minutes=1),
        "created_at": NOW,
        "updated_at": NOW,
    }
    return ScheduledChange(**(base | fields))


@pytest.mark.parametrize(
    ("fields", "step"),
    [
        ({}, "apply"),
        ({"scheduled_at": NOW + timedelta(seconds=1)}, "skip"),
        ({"scheduled_at": NOW}, "apply"),
        ({"executed_at": NOW}, "skip"),
        ({"recurrence_interval": "daily"}, "skip"),  # paused
        ({"retry_after": NOW + timedelta(seconds=1)}, "skip"),
        ({"retry_after": NOW}, "apply"),
        ({"is_recurring": True, "recurrence_interval": "daily", "end_date": NOW}, "finish"),
        ({"is_recurring": True, "recurrence_interval": "daily", "end_date": NOW + timedelta(days=9)}, "apply"),
    ],
)
def test_next_step(fields: dict[str, Any], step: str) -> None:
    assert next_step(change(**fields), NOW) == step


def test_a_one_time_change_is_done_after_it_ran() -> None:
    done = succeeded(change(failure_count=2), NOW)
    assert (done.executed_at, done.last_executed_at, done.failure_count) == (NOW, NOW, 0)


def test_a_recurring_change_moves_to_its_next_run() -> None:
    scheduled = NOW - timedelta(minutes=1)
    done = succeeded(change(is_recurring=True, recurrence_interval="daily"), NOW)
    assert (done.executed_at, done.scheduled_at, done.last_executed_at) == (None, scheduled + timedelta(days=1), NOW)


def test_a_recurring_change_ends_when_its_next_run_is_past_the_end_date() -> None:
    done = succeeded(change(is_recurring=True, recurrence_interval="daily", end_date=NOW + timedelta(hours=1)), NOW)
    assert done.executed_at == NOW


def test_a_recurring_change_past_its_end_date_finishes_without_running() -> None:
    assert finished(change(is_recurring=True, recurrence_interval="daily"), NOW).executed_at == NOW


@pytest.mark.parametrize(
    ("message", "invalid_input", "expected"),
    [
        ("database unavailable", False, "recoverable"),
        ("Invalid payload", False, "unrecoverable"),
        ("Unrecognized operation: x", False, "unrecoverable"),
        ("Feature flag not found", False, "unrecoverable"),
        ("violates foreign key constraint", False, "unrecoverable"),
        ("anything", True, "unrecoverable"),
    ],
)
def test_classify(message: str, invalid_input: bool, expected: str) -> None:
    assert classify(message, invalid_input=invalid_input) == expected


def fail(current: ScheduledChange, *, invalid_input: bool = False) -> ScheduledChange:
    return failed(
        current,
        error="boom",
        error_type="BackendUnavailableError",
        invalid_input=invalid_input,
        hostname="h",
        now=NOW,
        retry_delay=DELAY,
    )


def test_a_recoverable_failure_is_retried_after_the_delay_until_attempts_run_out() -> None:
    current = change()
    for attempt in range(1, MAX_RETRIES):
        current = fail(current)
        assert (current.failure_count, current.executed_at, current.retry_after) == (attempt, None, NOW + DELAY)
        left = MAX_RETRIES - attempt
        assert (
            formatted_failure_reason(current.failure_reason)
            == f"boom (will retry automatically, {left} attempts remaining)"
        )
    current = fail(current)
    assert (current.failure_count, current.executed_at, current.retry_after) == (MAX_RETRIES, NOW, None)
    assert formatted_failure_reason(current.failure_reason) == "boom (failed after 5 out of 5 attempts)"
    assert current.failure_reason is not None
    assert msgspec.to_builtins(current.failure_reason)["retry_exhausted"] is True


def test_an_unrecoverable_failure_ends_the_change_at_once() -> None:
    done = fail(change(), invalid_input=True)
    assert (done.failure_count, done.executed_at) == (1, NOW)
    assert formatted_failure_reason(done.failure_reason) == "boom (permanent error)"
    assert formatted_failure_reason(None) is None
