"""Tallying ``$feature_flag_called`` events: one increment per flag and UTC day, with the latest call."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from flagcore.domain.flags.usage import FlagCall, FlagCallKey, FlagCalls, called_at, merge_calls, tally

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (None, NOW),
        ("", NOW),
        ("not a date", NOW),
        ("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("2026-05-01T10:00:00+02:00", datetime(2026, 5, 1, 8, tzinfo=UTC)),
        ("2026-05-01T10:00:00", datetime(2026, 5, 1, 10, tzinfo=UTC)),  # naive: UTC
        ("2026-06-01T12:30:00Z", datetime(2026, 6, 1, 12, 30, tzinfo=UTC)),  # a little ahead: kept
        ("2027-01-01T00:00:00Z", NOW),  # far ahead: a wrong clock, counted as now
    ],
)
def test_called_at(timestamp: str | None, expected: datetime) -> None:
    assert called_at(timestamp, now=NOW) == expected


def test_tally_counts_per_flag_and_utc_day_and_keeps_the_latest() -> None:
    late_evening = datetime(2026, 5, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))  # 2 May in UTC
    calls = [
        FlagCall(project_id=1, flag_key="a", at=datetime(2026, 5, 1, 9, tzinfo=UTC)),
        FlagCall(project_id=1, flag_key="a", at=datetime(2026, 5, 1, 8, tzinfo=UTC)),
        FlagCall(project_id=1, flag_key="a", at=late_evening),
        FlagCall(project_id=2, flag_key="a", at=datetime(2026, 5, 1, 7, tzinfo=UTC)),
        FlagCall(project_id=1, flag_key="b", at=datetime(2026, 5, 1, 7, tzinfo=UTC)),
    ]
    assert tally(calls) == {
        FlagCallKey(project_id=1, flag_key="a", day=date(2026, 5, 1)): FlagCalls(
            calls=2, last_called_at=datetime(2026, 5, 1, 9, tzinfo=UTC)
        ),
        FlagCallKey(project_id=1, flag_key="a", day=date(2026, 5, 2)): FlagCalls(calls=1, last_called_at=late_evening),
        FlagCallKey(project_id=2, flag_key="a", day=date(2026, 5, 1)): FlagCalls(
            calls=1, last_called_at=datetime(2026, 5, 1, 7, tzinfo=UTC)
        ),
        FlagCallKey(project_id=1, flag_key="b", day=date(2026, 5, 1)): FlagCalls(
            calls=1, last_called_at=datetime(2026, 5, 1, 7, tzinfo=UTC)
        ),
    }


def test_merge_adds_and_never_moves_back() -> None:
    early, late = datetime(2026, 5, 1, 8, tzinfo=UTC), datetime(2026, 5, 1, 9, tzinfo=UTC)
    assert merge_calls(None, FlagCalls(calls=2, last_called_at=early)) == FlagCalls(calls=2, last_called_at=early)
    merged = merge_calls(FlagCalls(calls=2, last_called_at=late), FlagCalls(calls=3, last_called_at=early))
    assert merged == FlagCalls(calls=5, last_called_at=late)
