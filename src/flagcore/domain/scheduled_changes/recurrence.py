"""When a recurring change runs next: calendar intervals or a cron expression, in the change's time zone."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flagcore.domain.scheduled_changes.cron import parse_cron
from flagcore.domain.scheduled_changes.model import RecurrenceInterval, ScheduledChange

#: Missed occurrences stepped over one by one before jumping to the first one after now (PostHog's bound).
MAX_CATCH_UP: Final = 1000


def zone_of(name: str | None) -> tzinfo:
    """The change's time zone (UTC when none is stored or it is unknown)."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def add_interval(moment: datetime, interval: RecurrenceInterval, zone: tzinfo) -> datetime:
    """``moment`` plus one interval, on the wall clock of ``zone``.

    Months and years clamp to the month's last day (31 January + 1 month = 28 or 29 February; 29 February + 1
    year = 28 February).
    """
    local = moment.astimezone(zone)
    if interval == "daily":
        stepped = local.replace(tzinfo=None) + timedelta(days=1)
    elif interval == "weekly":
        stepped = local.replace(tzinfo=None) + timedelta(weeks=1)
    else:
        months = 1 if interval == "monthly" else 12
        year, month = divmod(local.month - 1 + months, 12)
        year += local.year
        day = min(local.day, calendar.monthrange(year, month + 1)[1])
        stepped = local.replace(tzinfo=None, year=year, month=month + 1, day=day)
    return stepped.replace(tzinfo=zone).astimezone(moment.tzinfo)


def next_run(change: ScheduledChange, now: datetime) -> datetime | None:
    """The first occurrence after ``now``, stepping from ``scheduled_at``; None if the change does not recur.

    Missed occurrences (the service was down) are skipped, not run one after another.
    """
    zone = zone_of(change.timezone)
    if change.cron_expression is not None:
        return parse_cron(change.cron_expression).next_after(max(now, change.scheduled_at), zone)
    interval = change.recurrence_interval
    if interval is None:
        return None
    moment = change.scheduled_at
    for _ in range(MAX_CATCH_UP):
        moment = add_interval(moment, interval, zone)
        if moment > now:
            return moment
    return add_interval(now, interval, zone)
