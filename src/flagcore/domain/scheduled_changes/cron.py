"""Standard 5-field cron expressions (minute hour day month weekday), parsed and stepped in a time zone.

Fields accept ``*``, numbers, ranges ``a-b``, steps ``*/n`` / ``a-b/n`` / ``a/n``, lists ``a,b`` and, for months
and weekdays, three-letter names. Weekday 0 and 7 are Sunday. As in cron, when both the day of month and the
weekday are restricted a day matches if either does.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

import msgspec

from flagcore.domain.scheduled_changes.errors import InvalidScheduledChangeError

FIELD_COUNT_MESSAGE: Final = (
    "Only standard 5-field cron expressions are supported (minute hour day month weekday). Example: '0 9 * * 1-5'."
)
_MONTHS: Final = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_DAYS: Final = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
#: How far ahead an occurrence is looked for: past this an expression never matches (e.g. 30 February).
_HORIZON_DAYS: Final = 366 * 5
_ATTR: Final = "cron_expression"


class Cron(msgspec.Struct, frozen=True):
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Monday (Python's weekday()), converted from cron's 0 = Sunday
    any_day: bool
    any_weekday: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month, in_week = day.day in self.days, day.weekday() in self.weekdays
        if self.any_day or self.any_weekday:
            return in_month and in_week
        return in_month or in_week

    def next_after(self, after: datetime, zone: tzinfo) -> datetime | None:
        """The first occurrence strictly after ``after``, as an aware datetime in ``after``'s zone; None if never."""
        local = after.astimezone(zone)
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        day = local.date()
        for _ in range(_HORIZON_DAYS):
            if self.day_matches(day):
                for hour in hours:
                    for minute in minutes:
                        candidate = datetime.combine(day, time(hour, minute), tzinfo=zone)
                        if candidate > local:
                            return candidate.astimezone(after.tzinfo)
            day += timedelta(days=1)
        return None


def parse_cron(expression: str) -> Cron:
    """Parse a 5-field expression.

    Raises:
        InvalidScheduledChangeError: the wrong number of fields, or a field that does not parse (attr
            ``cron_expression``).
    """
    fields = expression.split()
    if len(fields) != 5:  # noqa: PLR2004 - the standard's five fields
        raise InvalidScheduledChangeError(FIELD_COUNT_MESSAGE, attr=_ATTR)
    minute, hour, day, month, weekday = fields
    weekdays = _field(weekday, 0, 7, _DAYS, "weekday")
    return Cron(
        minutes=_field(minute, 0, 59, {}, "minute"),
        hours=_field(hour, 0, 23, {}, "hour"),
        days=_field(day, 1, 31, {}, "day"),
        months=_field(month, 1, 12, _MONTHS, "month"),
        weekdays=frozenset((d - 1) % 7 for d in weekdays),
        any_day=day == "*",
        any_weekday=weekday == "*",
    )


def _field(text: str, low: int, high: int, names: dict[str, int], name: str) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split(","):
        base, slash, step_text = part.partition("/")
        step = _number(step_text, {}, name) if slash else 1
        if step < 1:
            raise _invalid(f"the {name} step must be at least 1")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start_text, _, end_text = base.partition("-")
            start, end = _number(start_text, names, name), _number(end_text, names, name)
        else:
            start = _number(base, names, name)
            end = high if slash else start
        if not (low <= start <= end <= high):
            raise _invalid(f"{part!r} is out of range for the {name} ({low}-{high})")
        out.update(range(start, end + 1, step))
    return frozenset(out)


def _number(text: str, names: dict[str, int], name: str) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not (text.isdecimal() and text.isascii()):
        raise _invalid(f"{text!r} is not a valid {name}")
    return int(text)


def _invalid(reason: str) -> InvalidScheduledChangeError:
    return InvalidScheduledChangeError(f"Invalid cron expression. {reason[0].upper()}{reason[1:]}.", attr=_ATTR)
