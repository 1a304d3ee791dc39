"""Create and update rules with PostHog's messages, each naming its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest

from flagcore.domain.scheduled_changes import (
    InvalidScheduledChangeError,
    ScheduledChange,
    ScheduleFields,
    new_change,
    updated_change,
)
from flagcore.domain.scheduled_changes import validation as v

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
AT = NOW + timedelta(hours=1)
STATUS = {"operation": "update_status", "value": True}
CONDITION = {"operation": "add_release_condition", "value": {"groups": [{"rollout_percentage": 10}]}}
VARIANTS = {
    "operation": "update_variants",
    "value": {"variants": [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]},
}


def fields(**changes: Any) -> ScheduleFields:
    base: dict[str, Any] = {"record_id": "7", "model_name": "FeatureFlag", "payload": STATUS, "scheduled_at": AT}
    return msgspec.convert(base | changes, ScheduleFields)


def create(**changes: Any) -> Any:
    return new_change(fields(**changes), project_id=1, user_id=3, timezone="Europe/Paris", now=NOW)


def test_a_valid_change_captures_the_project_timezone() -> None:
    made = create(record_id=7)
    assert (made.record_id, made.timezone, made.created_by_id, made.is_recurring) == ("7", "Europe/Paris", 3, False)


@pytest.mark.parametrize(
    ("changes", "attr", "message"),
    [
        ({"payload": {"operation": "update_status"}}, "payload", "Invalid payload"),
        ({"payload": {"value": True}}, "payload", "Invalid payload"),
        ({"payload": {"operation": "explode", "value": 1}}, "payload", "Unrecognized operation: explode"),
        ({"payload": {"operation": "update_status", "value": "yes"}}, "payload", None),
        ({"payload": {"operation": "add_release_condition", "value": {}}}, "payload", None),
        (
            {
                "payload": {
                    "operation": "update_variants",
                    "value": {"variants": [{"key": "a", "rollout_percentage": 90}]},
                }
            },
            "payload",
            "Invalid variant rollout percentages: sum is 90, must be 100",
        ),
        (
            {"payload": {**VARIANTS, "value": {**VARIANTS["value"], "payloads": {"c": "1", "a": "2"}}}},  # type: ignore[dict-item]
            "payload",
            "Payload keys {'a', 'c'} don't match variant keys {'a', 'b'}",
        ),
        (
            {"cron_expression": "0 9 * * *", "recurrence_interval": "daily", "is_recurring": True},
            "cron_expression",
            v.BOTH_RECURRENCES,
        ),
        ({"cron_expression": "0 9 * *", "is_recurring": True}, "cron_expression", None),
        ({"cron_expression": "0 0 30 2 *", "is_recurring": True}, "cron_expression", v.CRON_NEVER),
        ({"is_recurring": True}, "recurrence_interval", v.RECURRENCE_NEEDED),
        (
            {"is_recurring": True, "recurrence_interval": "daily", "payload": CONDITION},
            "is_recurring",
            v.RECURRING_CONDITION,
        ),
        ({"recurrence_interval": "daily"}, "is_recurring", v.RECURRENCE_WITHOUT_RECURRING),
        ({"end_date": AT}, "end_date", v.END_BEFORE_START),
        ({"scheduled_at": datetime(9999, 12, 31, 23, 59, tzinfo=UTC)}, "scheduled_at", v.OUT_OF_RANGE),
        (  # a cron stepped from such a date would overflow: refused before it is looked at
            {"scheduled_at": datetime(9999, 12, 31, tzinfo=UTC), "cron_expression": "0 9 * * *", "is_recurring": True},
            "scheduled_at",
            v.OUT_OF_RANGE,
        ),
        ({"end_date": datetime(9500, 1, 1, tzinfo=UTC)}, "end_date", v.OUT_OF_RANGE),
        (  # before the first UTC instant once converted: refused, not an OverflowError (found in review)
            {
                "scheduled_at": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
                "cron_expression": "0 9 * * *",
                "is_recurring": True,
            },
            "scheduled_at",
            v.OUT_OF_RANGE,
        ),
        (
            {"scheduled_at": datetime(1969, 12, 31, tzinfo=UTC), "recurrence_interval": "daily", "is_recurring": True},
            "scheduled_at",
            v.OUT_OF_RANGE,
        ),
        ({"model_name": "Survey"}, "model_name", '"Survey" is not a valid choice.'),
        ({"record_id": "x" * 201}, "record_id", "Ensure this field has no more than 200 characters."),
        (
            {"cron_expression": "0 " + "1," * 60 + "1 * * *", "is_recurring": True},
            "cron_expression",
            "Ensure this field has no more than 100 characters.",
        ),
    ],
)
def test_create_rules(changes: dict[str, Any], attr: str, message: str | None) -> None:
    with pytest.raises(InvalidScheduledChangeError) as info:
        create(**changes)
    assert info.value.attr == attr
    if message is not None:
        assert info.value.detail == message
    else:
        assert info.value.detail.startswith(("Invalid payload", "Only standard 5-field"))


@pytest.mark.parametrize("missing", ["record_id", "model_name", "payload", "scheduled_at"])
def test_create_requires_the_target_payload_and_time(missing: str) -> None:
    body = {"record_id": "7", "model_name": "FeatureFlag", "payload": STATUS, "scheduled_at": AT}
    del body[missing]
    with pytest.raises(InvalidScheduledChangeError) as info:
        new_change(msgspec.convert(body, ScheduleFields), project_id=1, user_id=None, timezone="UTC", now=NOW)
    assert (info.value.attr, info.value.code) == (missing, "required")


def stored(**fields: Any) -> ScheduledChange:
    base: dict[str, Any] = {
        "id": 1,
        "project_id": 1,
        "record_id": "7",
        "payload": STATUS,
        "scheduled_at": AT,
        "created_at": NOW,
        "updated_at": NOW,
        "timezone": "UTC",
    }
    return ScheduledChange(**(base | fields))


@pytest.mark.parametrize(
    ("current", "changes", "attr", "message"),
    [
        (stored(executed_at=NOW), {"payload": STATUS}, None, v.IMMUTABLE),
        (stored(), {"record_id": "8"}, "record_id", v.RECORD_FIXED),
        (stored(), {"model_name": "Survey"}, "model_name", v.MODEL_FIXED),
        (stored(), {"end_date": AT - timedelta(minutes=1)}, "end_date", v.END_BEFORE_START),
        (
            stored(recurrence_interval="daily", is_recurring=True),
            {"cron_expression": "0 9 * * *"},
            "cron_expression",
            v.BOTH_RECURRENCES,
        ),
        (stored(), {"payload": {"operation": "nope", "value": 1}}, "payload", "Unrecognized operation: nope"),
    ],
)
def test_update_rules(current: ScheduledChange, changes: dict[str, Any], attr: str | None, message: str) -> None:
    with pytest.raises(InvalidScheduledChangeError) as info:
        updated_change(current, msgspec.convert(changes, ScheduleFields), now=NOW)
    assert (info.value.attr, info.value.detail) == (attr, message)


def test_update_keeps_a_paused_recurrence_and_forgets_failures() -> None:
    current = stored(is_recurring=True, recurrence_interval="weekly", failure_count=3, retry_after=AT)
    paused = updated_change(current, ScheduleFields(is_recurring=False), now=AT)
    assert paused.is_paused
    assert (paused.recurrence_interval, paused.failure_count, paused.retry_after, paused.updated_at) == (
        "weekly",
        0,
        None,
        AT,
    )


def test_update_with_the_same_record_id_as_a_number_is_no_change() -> None:
    assert updated_change(stored(), ScheduleFields(record_id=7), now=NOW).record_id == "7"
