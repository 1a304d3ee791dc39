from __future__ import annotations

import asyncio
import logging

import pytest

from flagcore.adapters.memory.snapshot_store import MemorySnapshotStore
from flagcore.adapters.snapshots import Tier, TieredSnapshotStore
from flagcore.domain.snapshots import SnapshotKind
from flagcore.ports.errors import BackendUnavailableError
from tests.unit.adapters.snapshot_fakes import FakeSource, FlakyTier, RefusingTier, snapshot

P = 7
KIND = SnapshotKind.EVALUATION


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Setup:
    def __init__(self, *, cooldown_s: float = 0.0) -> None:
        self.top = FlakyTier(MemorySnapshotStore())
        self.middle = FlakyTier(MemorySnapshotStore())
        self.source = FakeSource()
        tiers = [Tier("top", self.top, local=True), Tier("middle", self.middle)]
        self.tiered = TieredSnapshotStore(tiers, self.source, cooldown_s=cooldown_s)


@pytest.fixture
def setup() -> Setup:
    return Setup()


async def test_a_source_build_refills_every_tier_above_it(setup: Setup) -> None:
    assert await setup.tiered.get(P, KIND) == snapshot(1)
    assert await setup.middle.inner.get(P, KIND) == snapshot(1)
    assert await setup.top.inner.get(P, KIND) == snapshot(1)
    assert setup.tiered.stats()["db"]["hits"] == 1
    assert setup.tiered.stats()["middle"]["refills"] == 1


async def test_a_hit_in_a_lower_tier_refills_only_the_tiers_above_it(setup: Setup) -> None:
    await setup.middle.inner.put(P, KIND, snapshot(5))
    assert await setup.tiered.get(P, KIND) == snapshot(5)
    assert await setup.top.inner.get(P, KIND) == snapshot(5)
    assert setup.source.builds == 0


async def test_a_hit_in_the_first_tier_touches_nothing_below(setup: Setup) -> None:
    await setup.top.inner.put(P, KIND, snapshot(3))
    assert await setup.tiered.get(P, KIND) == snapshot(3)
    assert "get" not in setup.middle.calls
    assert setup.source.builds == 0


async def test_a_failing_tier_is_skipped_counted_and_logged(setup: Setup) -> None:
    handler = Capture()
    records = handler.records
    logger = logging.getLogger("flagcore.snapshots.tiers")
    logger.addHandler(handler)
    try:
        setup.middle.down = True
        assert await setup.tiered.get(P, KIND) == snapshot(1)
    finally:
        logger.removeHandler(handler)
    assert await setup.top.inner.get(P, KIND) == snapshot(1)  # tiers that work are still refilled
    assert setup.tiered.stats()["middle"]["failures"] == 1
    assert [r.levelno for r in records] == [logging.WARNING]
    assert "middle" in records[0].getMessage()
    assert "tier down" in records[0].getMessage()


async def test_warnings_about_a_failing_tier_are_rate_limited(setup: Setup) -> None:
    handler = Capture()
    records = handler.records
    logger = logging.getLogger("flagcore.snapshots.tiers")
    logger.addHandler(handler)
    try:
        setup.middle.down = True
        for _ in range(5):
            await setup.top.inner.invalidate(P)
            await setup.tiered.get(P, KIND)
    finally:
        logger.removeHandler(handler)
    assert setup.tiered.stats()["middle"]["failures"] == 5
    assert len(records) == 1


async def test_a_failed_tier_is_left_alone_for_its_cool_down() -> None:
    setup = Setup(cooldown_s=60.0)
    setup.middle.down = True
    await setup.tiered.get(P, KIND)
    await setup.top.inner.invalidate(P)
    await setup.tiered.get(P, KIND)
    assert setup.middle.calls["get"] == 1  # the second read did not wait on it again
    assert setup.tiered.stats()["middle"]["skipped"] == 1


async def test_the_read_fails_only_when_the_source_fails(setup: Setup) -> None:
    setup.middle.down = True
    setup.source.down = True
    with pytest.raises(BackendUnavailableError):
        await setup.tiered.get(P, KIND)


async def test_cache_tiers_serve_while_the_source_is_down(setup: Setup) -> None:
    await setup.tiered.get(P, KIND)
    setup.source.down = True
    await setup.top.inner.invalidate(P)
    assert await setup.tiered.get(P, KIND) == snapshot(1)
    assert await setup.tiered.get_etag(P, KIND) == "v1"


async def test_an_invalidation_a_tier_missed_is_applied_before_it_is_read_again(setup: Setup) -> None:
    await setup.tiered.get(P, KIND)  # every tier holds v1
    setup.source.version = 2
    setup.middle.down = True
    await setup.tiered.invalidate(P)  # the middle tier keeps v1 for now
    assert setup.tiered.stats()["middle"]["pending_invalidations"] == 1
    setup.middle.down = False
    assert await setup.tiered.get(P, KIND) == snapshot(2)  # not the v1 the middle tier still held
    assert await setup.middle.inner.get(P, KIND) == snapshot(2)
    assert setup.tiered.stats()["middle"]["pending_invalidations"] == 0


async def test_an_invalidation_overtaking_a_read_in_flight_drops_its_refills(setup: Setup) -> None:
    setup.source.gate = asyncio.Event()
    slow = asyncio.create_task(setup.tiered.get(P, KIND))  # builds v1, then waits
    await asyncio.sleep(0)
    setup.source.version = 2
    await setup.tiered.invalidate(P)  # a write committed meanwhile
    setup.source.gate.set()
    assert await slow == snapshot(1)
    assert await setup.middle.inner.get(P, KIND) is None
    assert await setup.top.inner.get(P, KIND) is None
    setup.source.gate = None
    assert await setup.tiered.get(P, KIND) == snapshot(2)


async def test_a_refused_refill_stops_before_the_tiers_above() -> None:
    top = FlakyTier(MemorySnapshotStore())
    guarded = RefusingTier(MemorySnapshotStore())
    tiered = TieredSnapshotStore([Tier("top", top), Tier("guarded", guarded)], FakeSource())
    assert await tiered.get(P, KIND) == snapshot(1)
    assert guarded.calls["put"] == 1
    assert "put" not in top.calls
    assert tiered.stats()["guarded"]["refused"] == 1


async def test_an_etag_read_is_answered_by_the_cache_tiers_without_a_build(setup: Setup) -> None:
    await setup.middle.inner.put(P, KIND, snapshot(4))
    assert await setup.tiered.get_etag(P, KIND) == "v4"
    assert setup.source.builds == 0
    assert "get" not in setup.middle.calls  # only the ETag was read


async def test_an_etag_read_that_misses_everywhere_builds_once_and_refills(setup: Setup) -> None:
    assert await setup.tiered.get_etag(P, KIND) == "v1"
    assert setup.source.builds == 1
    assert await setup.middle.inner.get(P, KIND) == snapshot(1)
    assert await setup.tiered.get_etag(P, KIND) == "v1"
    assert setup.source.builds == 1


async def test_writes_and_invalidations_reach_every_tier(setup: Setup) -> None:
    assert await setup.tiered.put(P, KIND, snapshot(9))
    assert await setup.middle.inner.get(P, KIND) == snapshot(9)
    await setup.tiered.invalidate(P)
    assert await setup.middle.inner.get(P, KIND) is None
    assert await setup.top.inner.get(P, KIND) is None


async def test_forget_drops_only_the_process_local_tiers(setup: Setup) -> None:
    await setup.tiered.get(P, KIND)
    await setup.tiered.forget(P)
    assert await setup.top.inner.get(P, KIND) is None
    assert await setup.middle.inner.get(P, KIND) == snapshot(1)


async def test_forget_all_drops_every_project_read_through_this_process(setup: Setup) -> None:
    await setup.tiered.get(P, KIND)
    await setup.tiered.get(P + 1, KIND)
    await setup.tiered.forget_all()
    assert await setup.top.inner.get(P, KIND) is None
    assert await setup.top.inner.get(P + 1, KIND) is None


async def test_the_first_tracked_generation_is_the_tiered_generation() -> None:
    tiered = TieredSnapshotStore(
        [Tier("plain", MemorySnapshotStore()), Tier("guarded", RefusingTier(MemorySnapshotStore()))], FakeSource()
    )
    assert await tiered.generation(P) == "current"
