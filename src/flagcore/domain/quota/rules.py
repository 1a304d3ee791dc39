"""PostHog's quota rules as pure functions: the billing period, when the limit is crossed, grace, limiting.

- The billing period is the calendar month (UTC). Usage resets when it rolls over.
- Over the limit when ``usage + todays_usage >= limit`` (PostHog's overage buffer is 0 for feature flags).
- Feature flags get a grace period first, counted in whole days from the start of the day the limit was crossed
  (or the limit was set, if later), as PostHog counts it from the start of the day it first saw the crossing.
- Once the grace period ends, the organization is limited until the end of the billing period.
- An operator's suspension stops limiting while it lasts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flagcore.domain.quota.model import DailyUsage, Period, QuotaLimit, QuotaStatus

_DECEMBER = 12


def billing_period(now: datetime) -> Period:
    """The calendar month (UTC) containing ``now``."""
    moment = now.astimezone(UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    if moment.month == _DECEMBER:
        end = datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    else:
        end = datetime(moment.year, moment.month + 1, 1, tzinfo=UTC)
    return Period(start, end)


def day_of(moment: datetime) -> date:
    """The UTC day a moment falls on (counters are kept per UTC day)."""
    return moment.astimezone(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def crossing_day(limit: int, usage: DailyUsage) -> date | None:
    """The first day on which the period's running total reached ``limit``, or None if it has not."""
    total = 0
    for day in sorted(usage.days):
        total += usage.days[day]
        if total >= limit:
            return day
    return None


def quota_status(quota: QuotaLimit | None, usage: DailyUsage, now: datetime) -> QuotaStatus:
    """Where the organization stands at ``now`` given this period's daily ``usage``.

    Args:
        quota: the organization's limit on the resource, or None (no limit set).
        usage: units per day of the period containing ``now`` (other days are ignored).
        now: the moment to judge at.
    """
    period = billing_period(now)
    today = day_of(now)
    in_period = {d: n for d, n in usage.days.items() if period.start.date() <= d < period.end.date()}
    todays = in_period.get(today, 0)
    before = sum(in_period.values()) - todays
    limit = quota.limit if quota is not None else None
    grace_days = quota.grace_period_days if quota is not None else 0
    suspended = quota.suspended_until if quota is not None and quota.suspended_until is not None else None
    grace_until = None
    limited_until = None
    crossed = crossing_day(limit, DailyUsage(days=in_period)) if limit is not None else None
    if quota is not None and crossed is not None:
        start = max(crossed, day_of(quota.updated_at))
        grace_until = _midnight(start) + timedelta(days=grace_days)
        active_suspension = suspended is not None and now < suspended
        if now >= grace_until and not active_suspension:
            limited_until = period.end
    return QuotaStatus(
        limit=limit,
        usage=before,
        todays_usage=todays,
        period=period,
        grace_period_days=grace_days if quota is not None else 0,
        grace_until=grace_until,
        quota_limited_until=limited_until,
        suspended_until=suspended,
    )
