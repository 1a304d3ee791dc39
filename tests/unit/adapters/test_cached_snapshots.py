from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from flagcore.adapters.snapshots import CachedProjectSnapshots
from flagcore.domain.evaluation import CompiledSnapshot, compile_snapshot
from flagcore.domain.identity import Project
from flagcore.ports.snapshots import EncodedSnapshot, ProjectSnapshots

PROJECT = Project(id=1, organization_id="o", name="p", api_token="phc_x", created_at=datetime(2025, 1, 1, tzinfo=UTC))


def document(version: int) -> bytes:
    flag = f'{{"id":1,"key":"f","active":true,"filters":{{"groups":[{{"rollout_percentage":{version}}}]}}}}'
    return f'{{"flags":[{flag}],"group_type_mapping":{{}},"cohorts":{{}}}}'.encode()


class CountingSnapshots(ProjectSnapshots):
    """A store whose content the test changes; it counts how often it is read."""

    def __init__(self) -> None:
        self.version = 1
        self.reads = 0
        self.gate: asyncio.Event | None = None

    async def definitions(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        self.reads += 1
        version = self.version
        if self.gate is not None:
            await self.gate.wait()
        return EncodedSnapshot(body=document(version), etag=f"v{version}")

    async def compiled(self, project: Project) -> CompiledSnapshot:
        return compile_snapshot(document(self.version))

    async def invalidate(self, project_id: int) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store() -> CountingSnapshots:
    return CountingSnapshots()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cached(store: CountingSnapshots, clock: Clock) -> CachedProjectSnapshots:
    return CachedProjectSnapshots(store, refresh_s=1.0, monotonic=clock)


async def test_reads_within_the_refresh_window_cost_no_store_read(
    cached: CachedProjectSnapshots, store: CountingSnapshots, clock: Clock
) -> None:
    first = await cached.definitions(PROJECT, with_cohorts=True)
    for _ in range(10):
        clock.now += 0.05
        assert await cached.definitions(PROJECT, with_cohorts=True) == first
    assert store.reads == 1


async def test_a_change_elsewhere_is_seen_after_the_refresh_window(
    cached: CachedProjectSnapshots, store: CountingSnapshots, clock: Clock
) -> None:
    await cached.definitions(PROJECT, with_cohorts=True)
    store.version = 2
    clock.now += 0.5
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag == "v1"  # within the bound: may be stale
    clock.now += 0.6
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag == "v2"


async def test_invalidate_gives_read_your_writes(cached: CachedProjectSnapshots, store: CountingSnapshots) -> None:
    await cached.definitions(PROJECT, with_cohorts=True)
    store.version = 2
    await cached.invalidate(PROJECT.id)
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag == "v2"


async def test_compiled_snapshot_is_reused_until_the_etag_changes(
    cached: CachedProjectSnapshots, store: CountingSnapshots, clock: Clock
) -> None:
    first = await cached.compiled(PROJECT)
    clock.now += 5
    assert await cached.compiled(PROJECT) is first  # re-read, same ETag: not recompiled
    store.version = 50
    clock.now += 5
    second = await cached.compiled(PROJECT)
    assert second is not first


async def test_concurrent_misses_share_one_store_read(cached: CachedProjectSnapshots, store: CountingSnapshots) -> None:
    store.gate = asyncio.Event()
    readers = [asyncio.create_task(cached.definitions(PROJECT, with_cohorts=True)) for _ in range(20)]
    await asyncio.sleep(0)
    store.gate.set()
    results = await asyncio.gather(*readers)
    assert store.reads == 1
    assert {r.etag for r in results} == {"v1"}


async def test_a_fetch_racing_an_invalidation_does_not_store_stale_data(
    cached: CachedProjectSnapshots, store: CountingSnapshots
) -> None:
    store.gate = asyncio.Event()
    slow = asyncio.create_task(cached.definitions(PROJECT, with_cohorts=True))  # reads version 1, then waits
    await asyncio.sleep(0)
    store.version = 2
    await cached.invalidate(PROJECT.id)  # a write committed while the fetch was in flight
    store.gate.set()
    assert (await slow).etag == "v1"
    store.gate = None
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag == "v2"


async def test_a_failed_fetch_is_not_cached(cached: CachedProjectSnapshots, store: CountingSnapshots) -> None:
    class BoomError(Exception):
        pass

    async def failing(project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        raise BoomError

    store.definitions = failing  # type: ignore[method-assign]
    with pytest.raises(BoomError):
        await cached.definitions(PROJECT, with_cohorts=True)
    del store.definitions
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag == "v1"
