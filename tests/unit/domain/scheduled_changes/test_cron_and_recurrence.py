"""Cron parsing and stepping, calendar intervals and catching up on missed runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flagcore.domain.scheduled_changes import InvalidScheduledChangeError, ScheduledChange, add_interval, parse_cron
from flagcore.domain.scheduled_changes.cron import FIELD_COUNT_MESSAGE
from flagcore.domain.scheduled_changes.recurrence import next_run

T0 = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("0 9 * * 1-5", T0, datetime(2026, 1, 5, 9, 0, tzinfo=UTC)),
        ("0 9 * * 1-5", datetime(2026, 1, 9, 9, 0, tzinfo=UTC), datetime(2026, 1, 12, 9, 0, tzinfo=UTC)),  # Fri->Mon
        ("*/15 * * * *", T0, datetime(2026, 1, 5, 8, 45, tzinfo=UTC)),
        ("30 8 * * *", T0, datetime(2026, 1, 6, 8, 30, tzinfo=UTC)),  # strictly after
        ("0 0 1 jan *", T0, datetime(2027, 1, 1, tzinfo=UTC)),
        ("0 12 * * sun", T0, datetime(2026, 1, 11, 12, tzinfo=UTC)),
        ("0 12 * * 7", T0, datetime(2026, 1, 11, 12, tzinfo=UTC)),  # 7 is Sunday too
        ("0 0 13 * 5", T0, datetime(2026, 1, 9, tzinfo=UTC)),  # day OR weekday when both are restricted
        ("5,10 9-10/1 * * *", T0, datetime(2026, 1, 5, 9, 5, tzinfo=UTC)),
        ("0 10/6 * * *", T0, datetime(2026, 1, 5, 10, tzinfo=UTC)),
    ],
)
def test_cron_next_occurrence(expression: str, after: datetime, expected: datetime) -> None:
    assert parse_cron(expression).next_after(after, UTC) == expected


def test_cron_is_evaluated_on_the_wall_clock_of_its_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    found = parse_cron("0 9 * * *").next_after(T0, paris)
    assert found == datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # 08:30 UTC is 09:30 in Paris; 09:00 there is 08:00 UTC
    assert found is not None
    assert found.tzinfo == UTC


def test_a_cron_that_never_matches_has_no_next_occurrence() -> None:
    assert parse_cron("0 0 30 2 *").next_after(T0, UTC) is None


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 9 * *", FIELD_COUNT_MESSAGE),
        ("0 9 * * * *", FIELD_COUNT_MESSAGE),
        ("", FIELD_COUNT_MESSAGE),
        ("61 * * * *", "Invalid cron expression. '61' is out of range for the minute (0-59)."),
        ("x * * * *", "Invalid cron expression. 'x' is not a valid minute."),
        ("*/0 * * * *", "Invalid cron expression. The minute step must be at least 1."),
        ("0 5-2 * * *", "Invalid cron expression. '5-2' is out of range for the hour (0-23)."),
        ("0 0 0 * *", "Invalid cron expression. '0' is out of range for the day (1-31)."),
        ("0 0 * foo *", "Invalid cron expression. 'foo' is not a valid month."),
    ],
)
def test_cron_errors_name_the_field(expression: str, message: str) -> None:
    with pytest.raises(InvalidScheduledChangeError) as info:
        parse_cron(expression)
    assert (info.value.detail, info.value.attr) == (message, "cron_expression")


@pytest.mark.parametrize(
    ("moment", "interval", "expected"),
    [
        (datetime(2026, 1, 31, 9, tzinfo=UTC), "monthly", datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2028, 1, 31, 9, tzinfo=UTC), "monthly", datetime(2028, 2, 29, 9, tzinfo=UTC)),
        (datetime(2026, 12, 15, tzinfo=UTC), "monthly", datetime(2027, 1, 15, tzinfo=UTC)),
        (datetime(2028, 2, 29, tzinfo=UTC), "yearly", datetime(2029, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), "daily", datetime(2026, 1, 2, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), "weekly", datetime(2026, 1, 8, tzinfo=UTC)),
    ],
)
def test_calendar_intervals_clamp_to_the_month_end(moment: datetime, interval: str, expected: datetime) -> None:
    assert add_interval(moment, interval, UTC) == expected  # type: ignore[arg-type]


def test_daily_keeps_the_local_time_across_a_daylight_saving_change() -> None:
    paris = ZoneInfo("Europe/Paris")
    before = datetime(2026, 3, 28, 9, tzinfo=paris).astimezone(UTC)  # 08:00 UTC (winter time)
    after = add_interval(before, "daily", paris)
    assert after.astimezone(paris).hour == 9
    assert after - before == timedelta(hours=23)


def change(**fields: object) -> ScheduledChange:
    base: dict[str, object] = {
        "id": 1,
        "project_id": 1,
        "record_id": "1",
        "payload": {"operation": "update_status", "value": True},
        "scheduled_at": T0,
        "created_at": T0,
        "updated_at": T0,
        "is_recurring": True,
    }
    return ScheduledChange(**(base | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "now", "expected"),
    [
        ({"recurrence_interval": "daily"}, T0, T0 + timedelta(days=1)),
        ({"recurrence_interval": "daily"}, T0 + timedelta(days=3, hours=1), T0 + timedelta(days=4)),  # missed runs
        ({"recurrence_interval": "daily", "scheduled_at": T0 - timedelta(days=5000)}, T0, T0 + timedelta(days=1)),
        ({"cron_expression": "0 9 * * 1-5"}, T0, datetime(2026, 1, 5, 9, tzinfo=UTC)),
        ({"cron_expression": "0 * * * *", "timezone": "Asia/Kolkata"}, T0, datetime(2026, 1, 5, 9, 30, tzinfo=UTC)),
        ({}, T0, None),
    ],
)
def test_next_run_skips_missed_occurrences(fields: dict[str, object], now: datetime, expected: datetime) -> None:
    assert next_run(change(**fields), now) == expected
