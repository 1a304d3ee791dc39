"""Flag usage from ``$feature_flag_called`` events: calls per flag and UTC day, and when a flag was last called.

PostHog derives ``last_called_at`` from these events every 30 minutes (persons spec §1.8); flagcore counts them as
ingestion applies them, a batch at a time: :func:`tally` folds a batch of calls into one increment per flag and
day, so the store sees one write per batch, not one per event.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Final

import msgspec

#: An event stamped further ahead than this (a client clock far off) counts as called now, as it cannot be later.
MAX_CLOCK_SKEW: Final = timedelta(hours=1)


class FlagCallKey(msgspec.Struct, frozen=True, kw_only=True):
    """Calls of one flag (by key, as the events name it) of one project on one UTC day."""

    project_id: int
    flag_key: str
    day: date


class FlagCalls(msgspec.Struct, frozen=True, kw_only=True):
    """How many calls, and the latest of them."""

    calls: int
    last_called_at: datetime


class FlagCall(msgspec.Struct, frozen=True, kw_only=True):
    """One ``$feature_flag_called`` event."""

    project_id: int
    flag_key: str
    at: datetime


def called_at(timestamp: str | None, *, now: datetime) -> datetime:
    """When the event says the flag was called: its ISO timestamp, or ``now`` if absent, unreadable or too late."""
    if not timestamp:
        return now
    try:
        parsed = datetime.fromisoformat(timestamp)
    except ValueError:
        return now
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return now if parsed > now + MAX_CLOCK_SKEW else parsed


def tally(calls: Iterable[FlagCall]) -> dict[FlagCallKey, FlagCalls]:
    """One increment per (project, flag key, UTC day) with the number of calls and the latest call."""
    counted: dict[FlagCallKey, FlagCalls] = {}
    for call in calls:
        key = FlagCallKey(project_id=call.project_id, flag_key=call.flag_key, day=call.at.astimezone(UTC).date())
        seen = counted.get(key)
        if seen is None:
            counted[key] = FlagCalls(calls=1, last_called_at=call.at)
        else:
            counted[key] = FlagCalls(calls=seen.calls + 1, last_called_at=max(seen.last_called_at, call.at))
    return counted


def merge_calls(a: FlagCalls | None, b: FlagCalls) -> FlagCalls:
    """Two counts of the same flag and day added up (what every adapter's ``record`` does per key)."""
    if a is None:
        return b
    return FlagCalls(calls=a.calls + b.calls, last_called_at=max(a.last_called_at, b.last_called_at))
