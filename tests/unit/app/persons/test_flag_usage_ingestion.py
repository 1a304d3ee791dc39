"""Ingestion records ``$feature_flag_called`` usage: one write per batch, in the batch's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from flagcore.adapters.memory import FixedClock, MemoryUnitOfWorkFactory
from flagcore.adapters.memory.flag_usage import MemoryFlagUsageRepo
from flagcore.app.persons.ingest_events import IngestEvents
from flagcore.domain.flags.usage import FlagCallKey, FlagCalls
from flagcore.domain.persons import IngestEvent
from tests.memory_stack import memory_stores

NOW = datetime(2026, 1, 10, 12, tzinfo=UTC)


class _Snapshots:
    async def invalidate(self, project_id: int) -> None:
        pass


class _CountingUsage(MemoryFlagUsageRepo):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def fork(self) -> _CountingUsage:
        fork = _CountingUsage()
        fork._calls = dict(self._calls)
        return fork

    def adopt(self, fork: MemoryFlagUsageRepo) -> None:
        super().adopt(fork)
        self.writes += getattr(fork, "writes", 0)

    async def record(self, calls: Mapping[FlagCallKey, FlagCalls]) -> None:
        self.writes += 1
        await super().record(calls)


def called(key: object, timestamp: str | None = None, *, event: str = "$feature_flag_called") -> IngestEvent:
    return IngestEvent(
        project_id=1, event=event, distinct_id="u1", properties={"$feature_flag": key}, timestamp=timestamp
    )


async def test_a_batch_of_calls_is_one_usage_write_and_other_events_count_nothing() -> None:
    stores = memory_stores()
    usage = _CountingUsage()
    stores.flag_usage = usage
    ingest = IngestEvents(MemoryUnitOfWorkFactory(stores), _Snapshots(), FixedClock(NOW))  # type: ignore[arg-type]
    events = [
        called("a", "2026-01-09T08:00:00Z"),
        called("a", "2026-01-09T09:00:00Z"),
        called("a"),  # no timestamp: now
        called("b", "2026-01-10T01:00:00Z"),
        called("", "2026-01-10T01:00:00Z"),  # no key: not a flag call
        called(7, "2026-01-10T01:00:00Z"),
        called("c", event="$pageview"),
    ]
    result = await ingest.execute(events)
    assert result.applied == len(events)
    assert usage.writes == 1
    assert await usage.daily(1, "a", date(2026, 1, 9), date(2026, 1, 11)) == {date(2026, 1, 9): 2, date(2026, 1, 10): 1}
    assert await usage.last_called(1, ["a", "b", "c"]) == {
        "a": NOW,
        "b": datetime(2026, 1, 10, 1, tzinfo=UTC),
    }
