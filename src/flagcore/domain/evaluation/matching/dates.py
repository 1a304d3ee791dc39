"""Instants for the ``is_date_*`` operators, as the server parses them, in integer nanoseconds since the epoch.

Filter and property strings are read the same way (in order): relative date (``-7d``, anchored to the wall clock
in the team timezone at evaluation time), RFC 3339 with an offset, naive ``YYYY-MM-DD`` and
``YYYY-MM-DD[ T]HH:MM[:SS[.f]]`` in the team timezone, then a small permissive fallback (ISO forms Python
understands, RFC 2822, 10/13/19-digit epoch strings), naive fallback values in UTC. Property numbers and numeric
strings are Unix seconds (fractions allowed). A naive time that does not exist (DST gap) parses to nothing; an
ambiguous one (DST overlap) takes the earlier instant.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache

from flagcore.domain.evaluation.matching.values import JsonValue, parse_rust_f64

__all__ = ("RelativeDate", "parse_date_text", "parse_relative", "property_instant", "relative_instant")

_NS = 1_000_000_000
_DAY_NS = 86_400 * _NS
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# chrono's DateTime range is about +/-262,000 years; outside it the server's parse fails.
_MAX_SECONDS = 8_210_266_876_799
_RELATIVE = re.compile(r"-?([0-9]+)([hdwmy])", re.ASCII)
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))",
    re.ASCII,
)
_NAIVE = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ]([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(\.[0-9]+)?)?)?", re.ASCII
)
_EPOCH_DIGITS = re.compile(r"[0-9]{10}|[0-9]{13}|[0-9]{19}", re.ASCII)
_FIXED_NS = {"h": 3600 * _NS, "d": _DAY_NS, "w": 7 * _DAY_NS}
_MAX_RELATIVE = 10_000

RelativeDate = tuple[int, str]


def parse_relative(text: str) -> RelativeDate | None:
    """``"-3d"`` -> ``(3, "d")``; the sign is ignored (always in the past); numbers must be below 10000."""
    match = _RELATIVE.fullmatch(text)
    if match is None:
        return None
    number = int(match.group(1))
    return (number, match.group(2)) if number < _MAX_RELATIVE else None


def relative_instant(relative: RelativeDate, now: datetime, tz: tzinfo) -> int | None:
    """Subtract ``relative`` from the wall clock of ``now`` in ``tz`` and read the result back in ``tz``."""
    number, unit = relative
    local = now.astimezone(tz).replace(tzinfo=None)
    wall_ns = _naive_ns(local.year, local.month, local.day, local.hour, local.minute, local.second)
    wall_ns += local.microsecond * 1000
    if unit in _FIXED_NS:
        wall_ns -= number * _FIXED_NS[unit]
    else:
        day_ns = wall_ns % _DAY_NS
        year, month, day = _step_back(local.year, local.month, local.day, number, unit)
        wall_ns = _days_from_civil(year, month, day) * _DAY_NS + day_ns
    return _wall_to_instant(wall_ns, tz)


def _step_back(year: int, month: int, day: int, number: int, unit: str) -> tuple[int, int, int]:
    """Go back ``number`` months or years one at a time, clamping the day to each month's length."""
    if unit == "y":
        target = year - number
        if month == 2 and day == 29 and (number > 1 or not _is_leap(target)):  # noqa: PLR2004
            day = 28  # two consecutive years are never both leap years, so some step clamps Feb 29
        return target, month, day
    for _ in range(number):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        day = min(day, _month_length(year, month))
        if day <= 28:  # noqa: PLR2004 - every month has 28 days: no later step can clamp further
            total = year * 12 + month - 1 - (number - _ - 1)
            return total // 12, total % 12 + 1, day
    return year, month, day


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_length(year: int, month: int) -> int:
    if month == 2:  # noqa: PLR2004
        return 29 if _is_leap(year) else 28
    return 30 if month in {4, 6, 9, 11} else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar, for any year (H. Hinnant's algorithm)."""
    year -= month <= 2  # noqa: PLR2004
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1  # noqa: PLR2004
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _naive_ns(year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    return (_days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * _NS


def _wall_to_instant(wall_ns: int, tz: tzinfo) -> int | None:
    """Read a wall-clock time in ``tz``: None in a DST gap, the earlier instant in a DST overlap."""
    seconds = wall_ns // _NS
    try:
        wall = datetime(1970, 1, 1) + timedelta(seconds=seconds)  # noqa: DTZ001 - a naive wall clock on purpose
    except OverflowError:
        return wall_ns  # outside Python's calendar: no timezone data either, read it as UTC
    local = wall.replace(tzinfo=tz, fold=0)
    offset = local.utcoffset() or timedelta(0)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None  # the wall clock does not exist in tz (spring-forward gap)
    return wall_ns - int(offset.total_seconds()) * _NS


def _fraction_ns(fraction: str | None) -> int:
    """``".5"`` -> 500_000_000; digits beyond nanoseconds are dropped."""
    if not fraction:
        return 0
    return int(fraction[1:10].ljust(9, "0"))


def _valid_time(year: int, month: int, day: int, hour: int, minute: int, second: int) -> bool:
    # A second of 60 is a leap second, which chrono accepts.
    return 1 <= month <= 12 and 1 <= day <= _month_length(year, month) and hour < 24 and minute < 60 and second <= 60  # noqa: PLR2004


def parse_date_text(text: str, tz: tzinfo) -> int | None:
    """Parse an absolute date string (no relative forms) to epoch nanoseconds, or None."""
    match = _RFC3339.fullmatch(text)
    if match is not None:
        return _rfc3339(match)
    match = _NAIVE.fullmatch(text)
    if match is not None:
        fields = [int(part) if part else 0 for part in match.groups()[:6]]
        if not _valid_time(*fields):
            return None
        wall = _naive_ns(*fields) + _fraction_ns(match.group(7))
        return _wall_to_instant(wall, tz)
    return _fallback(text)


def _rfc3339(match: re.Match[str]) -> int | None:
    fields = [int(part) for part in match.groups()[:6]]
    if not _valid_time(*fields):
        return None
    instant = _naive_ns(*fields) + _fraction_ns(match.group(7))
    if match.group(8):
        return instant
    hours, minutes = int(match.group(10)), int(match.group(11))
    if hours > 23 or minutes > 59:  # noqa: PLR2004
        return None
    offset = (hours * 3600 + minutes * 60) * _NS
    return instant - offset if match.group(9) == "+" else instant + offset


def _fallback(text: str) -> int | None:
    """A few of the permissive parser's extra forms; naive results are UTC."""
    if _EPOCH_DIGITS.fullmatch(text):
        scale = {10: _NS, 13: 1_000_000, 19: 1}[len(text)]
        return int(text) * scale
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (ValueError, TypeError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    delta = parsed - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _NS + delta.microseconds * 1000


# Parsing a date string is pure given the timezone; memoising it makes repeated values (one request evaluates
# many flags on the same properties) cost a dictionary lookup. Relative strings are returned unresolved.
@lru_cache(maxsize=8192)
def _string_instant(text: str, tz: tzinfo) -> int | RelativeDate | None:
    number = parse_rust_f64(text)
    if number is not None:
        return float_instant(number)
    relative = parse_relative(text)
    if relative is not None:
        return relative
    return parse_date_text(text, tz)


def float_instant(seconds: float) -> int | None:
    """Unix seconds to nanoseconds, rounding like the server (``floor`` seconds, sub-second part rounded)."""
    if math.isnan(seconds):
        return 0  # the server's saturating casts turn NaN into the epoch
    if math.isinf(seconds):
        return None
    whole = math.floor(seconds)
    if abs(whole) > _MAX_SECONDS:
        return None
    nanos = math.fmod(seconds, 1.0) * 1e9
    # Rust rounds half away from zero, and a negative remainder saturates to 0 when cast to an unsigned.
    rounded = math.floor(nanos + 0.5) if nanos >= 0 else 0
    return whole * _NS + rounded


def property_instant(value: JsonValue, tz: tzinfo, now: datetime | None) -> int | None:
    """The instant a property value stands for, or None (missing, null, bool, list or unparseable)."""
    cls = value.__class__
    if cls is str:
        parsed = _string_instant(value, tz)
        if isinstance(parsed, tuple):
            return relative_instant(parsed, now, tz) if now is not None else None
        return parsed
    if cls is int or cls is float:
        try:
            return float_instant(float(value))
        except OverflowError:
            return None
    return None
