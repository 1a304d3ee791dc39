"""The quota ports' contract: ``QuotaLimitRepo`` (fixture ``quota_limits``), ``UsageCounters``
(``usage_counters``) and ``RateLimiter`` (``rate_limiter``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from flagcore.domain.quota import QuotaLimit, Rate, Resource, UsageKey
from flagcore.ports.quota import QuotaLimitRepo, RateLimiter, UsageCounters
from flagcore.testing.contracts.ids import ORG_ID, OTHER_ORG_ID

FLAGS = Resource.FEATURE_FLAG_REQUESTS
AT = datetime(2026, 3, 10, 12, tzinfo=UTC)


async def test_a_limit_is_absent_until_put_then_replaced(quota_limits: QuotaLimitRepo) -> None:
    assert await quota_limits.get(ORG_ID, FLAGS) is None
    first = QuotaLimit(organization_id=ORG_ID, limit=5, grace_period_days=0, updated_at=AT)
    await quota_limits.put(first)
    assert await quota_limits.get(ORG_ID, FLAGS) == first
    second = QuotaLimit(organization_id=ORG_ID, limit=None, suspended_until=AT, updated_at=AT)
    await quota_limits.put(second)
    assert await quota_limits.get(ORG_ID, FLAGS) == second
    assert await quota_limits.get(OTHER_ORG_ID, FLAGS) is None


async def test_counters_add_per_day_and_read_a_half_open_range(usage_counters: UsageCounters) -> None:
    await usage_counters.add(
        {UsageKey(ORG_ID, FLAGS, date(2026, 3, 1)): 3, UsageKey(ORG_ID, FLAGS, date(2026, 3, 9)): 4}
    )
    await usage_counters.add(
        {UsageKey(ORG_ID, FLAGS, date(2026, 3, 9)): 10, UsageKey(OTHER_ORG_ID, FLAGS, date(2026, 3, 9)): 7}
    )
    await usage_counters.add(
        {UsageKey(ORG_ID, FLAGS, date(2026, 4, 1)): 1, UsageKey(ORG_ID, FLAGS, date(2026, 2, 28)): 1}
    )
    usage = await usage_counters.daily(ORG_ID, FLAGS, date(2026, 3, 1), date(2026, 4, 1))
    assert usage.days == {date(2026, 3, 1): 3, date(2026, 3, 9): 14}
    assert (await usage_counters.daily(OTHER_ORG_ID, FLAGS, date(2026, 3, 1), date(2026, 4, 1))).days == {
        date(2026, 3, 9): 7
    }
    assert (await usage_counters.daily(ORG_ID, FLAGS, date(2026, 5, 1), date(2026, 6, 1))).days == {}


async def test_concurrent_batches_never_lose_increments(usage_counters: UsageCounters) -> None:
    key = UsageKey(ORG_ID, FLAGS, date(2026, 3, 9))
    await asyncio.gather(*(usage_counters.add({key: 2}) for _ in range(20)))
    assert (await usage_counters.daily(ORG_ID, FLAGS, date(2026, 3, 1), date(2026, 4, 1))).days == {key.day: 40}


async def test_an_empty_batch_writes_nothing(usage_counters: UsageCounters) -> None:
    await usage_counters.add({})
    await usage_counters.add({UsageKey(ORG_ID, FLAGS, date(2026, 3, 9)): 0})
    assert (await usage_counters.daily(ORG_ID, FLAGS, date(2026, 3, 1), date(2026, 4, 1))).days == {}


async def test_the_limiter_admits_exactly_the_rate_then_says_how_long_to_wait(rate_limiter: RateLimiter) -> None:
    rate = Rate(3, 60)
    answers = [await rate_limiter.hit("feed", "1", rate) for _ in range(5)]
    assert answers[:3] == [None, None, None]
    assert all(wait is not None and 0 < wait <= 60 for wait in answers[3:])
    assert await rate_limiter.hit("feed", "2", rate) is None  # another key has its own window
    assert await rate_limiter.hit("burst", "1", rate) is None  # another scope too


async def test_the_window_moves(rate_limiter: RateLimiter) -> None:
    rate = Rate(2, 1)
    assert [await rate_limiter.hit("s", "k", rate) for _ in range(3)][2] is not None
    await asyncio.sleep(1.1)
    assert await rate_limiter.hit("s", "k", rate) is None
