"""Usage accounting and the quota check: batched counting, held units during an outage, one read per interval."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from flagcore.adapters.memory import FixedClock
from flagcore.adapters.memory.quota import MemoryQuotaLimitRepo, MemoryUsageCounters
from flagcore.app.quota.accounting import UsageAccounting
from flagcore.app.quota.gate import QuotaGate
from flagcore.domain.quota import DailyUsage, QuotaLimit, Resource, UsageKey
from flagcore.ports.errors import BackendUnavailableError

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
FLAGS = Resource.FEATURE_FLAG_REQUESTS


class RecordingCounters(MemoryUsageCounters):
    def __init__(self) -> None:
        super().__init__()
        self.adds = 0
        self.reads = 0
        self.down = False

    async def add(self, increments: Mapping[UsageKey, int]) -> None:
        if self.down:
            raise BackendUnavailableError("down")
        self.adds += 1
        await super().add(increments)

    async def daily(self, organization_id: str, resource: Resource, start: date, end: date) -> DailyUsage:
        if self.down:
            raise BackendUnavailableError("down")
        self.reads += 1
        return await super().daily(organization_id, resource, start, end)


async def test_many_requests_are_one_write_per_flush() -> None:
    counters = RecordingCounters()
    accounting = UsageAccounting(counters, FixedClock(NOW), flush_s=3600)
    for _ in range(1000):
        accounting.count("org", 1)
    accounting.count("other", 10)
    await accounting.flush()
    assert counters.adds == 1
    assert (await counters.daily("org", FLAGS, date(2026, 3, 1), date(2026, 4, 1))).days == {date(2026, 3, 10): 1000}
    await accounting.close()


async def test_units_are_held_while_the_store_is_down_and_sent_when_it_is_back() -> None:
    counters = RecordingCounters()
    accounting = UsageAccounting(counters, FixedClock(NOW), flush_s=3600)
    counters.down = True
    accounting.count("org", 3)
    await accounting.flush()
    accounting.count("org", 2)
    await accounting.flush()
    assert (accounting.store_ok, accounting.flush_failures, accounting.pending_units) == (False, 2, 5)
    counters.down = False
    await accounting.flush()
    assert (accounting.store_ok, accounting.pending_units) == (True, 0)
    assert (await counters.daily("org", FLAGS, date(2026, 3, 1), date(2026, 4, 1))).days == {date(2026, 3, 10): 5}
    await accounting.close()


async def test_held_units_are_bounded_oldest_day_first() -> None:
    counters = RecordingCounters()
    clock = FixedClock(datetime(2026, 3, 9, tzinfo=UTC))
    accounting = UsageAccounting(counters, clock, flush_s=3600, pending_limit=10)
    counters.down = True
    accounting.count("org", 8)
    await accounting.flush()  # fails: held, dated the 9th
    clock.advance(NOW - clock.now())
    accounting.count("org", 8)
    await accounting.flush()
    assert (accounting.pending_units, accounting.dropped_units) == (8, 8)
    assert accounting.pending("org", FLAGS) == {UsageKey("org", FLAGS, date(2026, 3, 10)): 8}
    await accounting.close()


async def test_the_check_reads_the_stores_once_per_interval_and_counts_unflushed_units() -> None:
    counters = RecordingCounters()
    limits = MemoryQuotaLimitRepo()
    await limits.put(QuotaLimit(organization_id="org", limit=3, grace_period_days=0, updated_at=NOW))
    clock = FixedClock(NOW)
    accounting = UsageAccounting(counters, clock, flush_s=3600)
    gate = QuotaGate(limits, counters, accounting, clock, check_s=3600)
    for _ in range(100):
        assert await gate.limited("org") is False
    assert counters.reads == 1  # no round trip per request
    accounting.count("org", 3)  # not flushed yet, still seen by a fresh check
    gate.forget("org")
    assert await gate.limited("org") is True
    await accounting.close()


async def test_a_failing_store_keeps_the_last_known_answer() -> None:
    counters = RecordingCounters()
    limits = MemoryQuotaLimitRepo()
    await limits.put(QuotaLimit(organization_id="org", limit=0, grace_period_days=0, updated_at=NOW))
    clock = FixedClock(NOW)
    accounting = UsageAccounting(counters, clock, flush_s=3600)
    await counters.add({UsageKey("org", FLAGS, date(2026, 3, 10)): 1})
    gate = QuotaGate(limits, counters, accounting, clock, check_s=0)
    assert await gate.limited("org") is True
    counters.down = True
    assert await gate.limited("org") is True
    assert await gate.limited("never-seen") is False
    assert gate.check_failures == 2
    await accounting.close()
