"""PostHog's quota rules at their boundaries: crossing, grace, the end of the period, suspension."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from flagcore.domain.quota import (
    DailyUsage,
    InvalidQuotaError,
    QuotaLimit,
    billing_period,
    crossing_day,
    quota_status,
)

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
SET_AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def limit(n: int | None, *, grace: int = 2, set_at: datetime = SET_AT, **kw: object) -> QuotaLimit:
    return QuotaLimit(organization_id="org", limit=n, grace_period_days=grace, updated_at=set_at, **kw)  # type: ignore[arg-type]


def test_period_is_the_calendar_month_and_december_rolls_into_january() -> None:
    assert billing_period(NOW) == billing_period(datetime(2026, 3, 1, tzinfo=UTC))
    assert billing_period(NOW).start == datetime(2026, 3, 1, tzinfo=UTC)
    assert billing_period(NOW).end == datetime(2026, 4, 1, tzinfo=UTC)
    assert billing_period(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)).end == datetime(2027, 1, 1, tzinfo=UTC)


def test_usage_splits_today_from_the_rest_of_the_period_and_ignores_other_periods() -> None:
    usage = DailyUsage(days={date(2026, 2, 28): 100, date(2026, 3, 2): 3, date(2026, 3, 10): 4})
    status = quota_status(limit(None), usage, NOW)
    assert (status.usage, status.todays_usage) == (3, 4)
    assert not status.limited


def test_the_request_that_reaches_the_limit_limits_without_grace() -> None:
    below = DailyUsage(days={date(2026, 3, 10): 4})
    at = DailyUsage(days={date(2026, 3, 10): 5})
    assert not quota_status(limit(5, grace=0), below, NOW).limited
    status = quota_status(limit(5, grace=0), at, NOW)
    assert status.limited
    assert status.quota_limited_until == datetime(2026, 4, 1, tzinfo=UTC)  # until the end of the period
    assert status.grace_until == datetime(2026, 3, 10, tzinfo=UTC)


def test_grace_period_counts_whole_days_from_the_start_of_the_crossing_day() -> None:
    usage = DailyUsage(days={date(2026, 3, 8): 5})
    two_days = limit(5)
    assert quota_status(two_days, usage, datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC)).limited is False
    status = quota_status(two_days, usage, datetime(2026, 3, 10, tzinfo=UTC))
    assert status.limited
    assert status.grace_until == datetime(2026, 3, 10, tzinfo=UTC)


def test_grace_period_never_starts_before_the_limit_was_set() -> None:
    # Usage crossed 5 on the 2nd, but the limit was only set on the 10th: grace runs from the 10th.
    usage = DailyUsage(days={date(2026, 3, 2): 50})
    status = quota_status(limit(5, set_at=datetime(2026, 3, 10, 8, tzinfo=UTC)), usage, NOW)
    assert status.grace_until == datetime(2026, 3, 12, tzinfo=UTC)
    assert not status.limited


def test_limiting_ends_with_the_period() -> None:
    usage = DailyUsage(days={date(2026, 3, 2): 50})
    assert quota_status(limit(5, grace=0), usage, datetime(2026, 3, 31, 23, 59, tzinfo=UTC)).limited
    rolled = quota_status(limit(5, grace=0), usage, datetime(2026, 4, 1, tzinfo=UTC))
    assert not rolled.limited
    assert (rolled.usage, rolled.todays_usage) == (0, 0)


def test_grace_running_past_the_end_of_the_period_means_no_limiting_this_period() -> None:
    usage = DailyUsage(days={date(2026, 3, 31): 50})
    assert not quota_status(limit(5), usage, datetime(2026, 3, 31, 23, tzinfo=UTC)).limited


def test_suspension_stops_limiting_while_it_lasts() -> None:
    usage = DailyUsage(days={date(2026, 3, 2): 50})
    until = datetime(2026, 3, 11, tzinfo=UTC)
    assert not quota_status(limit(5, grace=0, suspended_until=until), usage, NOW).limited
    assert quota_status(limit(5, grace=0, suspended_until=until), usage, until + timedelta(seconds=1)).limited


def test_zero_limit_limits_at_the_first_unit_only() -> None:
    assert crossing_day(0, DailyUsage()) is None
    assert crossing_day(0, DailyUsage(days={date(2026, 3, 3): 1})) == date(2026, 3, 3)


@pytest.mark.parametrize(("field", "value"), [("limit", -1), ("grace_period_days", 32), ("grace_period_days", -1)])
def test_invalid_values_are_refused_in_code_and_on_decode(field: str, value: int) -> None:
    fields: dict[str, object] = {"organization_id": "org", "updated_at": SET_AT, field: value}
    with pytest.raises(InvalidQuotaError):
        QuotaLimit(**fields)  # type: ignore[arg-type]
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**fields, "updated_at": SET_AT.isoformat()}, QuotaLimit)
