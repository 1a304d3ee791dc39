"""FlagUsageRepo contract: counts add up across batches and callers, the latest call only moves forward."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from flagcore.domain.flags.usage import FlagCallKey, FlagCalls
from flagcore.ports.flag_usage import FlagUsageRepo

DAY = date(2026, 5, 1)
T0 = datetime(2026, 5, 1, 10, tzinfo=UTC)


def key(flag_key: str = "a", *, project_id: int = 1, day: date = DAY) -> FlagCallKey:
    return FlagCallKey(project_id=project_id, flag_key=flag_key, day=day)


async def test_nothing_recorded(flag_usage: FlagUsageRepo) -> None:
    assert await flag_usage.last_called(1, ["a"]) == {}
    assert await flag_usage.last_called(1, []) == {}
    assert await flag_usage.daily(1, "a", DAY, DAY + timedelta(days=1)) == {}
    await flag_usage.record({})


async def test_batches_add_up_and_the_latest_call_never_moves_back(flag_usage: FlagUsageRepo) -> None:
    await flag_usage.record({key(): FlagCalls(calls=2, last_called_at=T0)})
    await flag_usage.record({key(): FlagCalls(calls=3, last_called_at=T0 - timedelta(hours=1))})
    assert await flag_usage.daily(1, "a", DAY, DAY + timedelta(days=1)) == {DAY: 5}
    assert await flag_usage.last_called(1, ["a"]) == {"a": T0}
    await flag_usage.record({key(): FlagCalls(calls=1, last_called_at=T0 + timedelta(minutes=5))})
    assert await flag_usage.last_called(1, ["a"]) == {"a": T0 + timedelta(minutes=5)}


async def test_last_called_is_the_latest_over_days_and_per_project_and_key(flag_usage: FlagUsageRepo) -> None:
    later_day = DAY + timedelta(days=3)
    await flag_usage.record(
        {
            key(): FlagCalls(calls=1, last_called_at=T0),
            key(day=later_day): FlagCalls(calls=4, last_called_at=T0 + timedelta(days=3)),
            key("b"): FlagCalls(calls=1, last_called_at=T0 - timedelta(days=1)),
            key(project_id=2): FlagCalls(calls=9, last_called_at=T0 + timedelta(days=9)),
        }
    )
    found = await flag_usage.last_called(1, ["a", "b", "missing"])
    assert found == {"a": T0 + timedelta(days=3), "b": T0 - timedelta(days=1)}
    assert all(at.tzinfo is not None for at in found.values())
    assert await flag_usage.daily(1, "a", DAY, later_day + timedelta(days=1)) == {DAY: 1, later_day: 4}
    assert await flag_usage.daily(1, "a", DAY + timedelta(days=1), later_day) == {}  # end is exclusive
    assert await flag_usage.daily(2, "a", DAY, DAY + timedelta(days=1)) == {DAY: 9}


async def test_concurrent_batches_lose_no_count(flag_usage: FlagUsageRepo) -> None:
    async def one(i: int) -> None:
        await flag_usage.record(
            {
                key(): FlagCalls(calls=1, last_called_at=T0 + timedelta(seconds=i)),
                key("b"): FlagCalls(calls=2, last_called_at=T0),
            }
        )

    await asyncio.gather(*(one(i) for i in range(10)))
    assert await flag_usage.daily(1, "a", DAY, DAY + timedelta(days=1)) == {DAY: 10}
    assert await flag_usage.daily(1, "b", DAY, DAY + timedelta(days=1)) == {DAY: 20}
    assert await flag_usage.last_called(1, ["a"]) == {"a": T0 + timedelta(seconds=9)}
