from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import msgspec
import pytest

from flagcore.adapters.snapshots import CachedProjectSnapshots
from flagcore.domain.evaluation import Subject
from flagcore.domain.identity import Project
from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.snapshot_store import SnapshotStore

PROJECT = Project(id=1, organization_id="o", name="p", api_token="phc_x", created_at=datetime(2025, 1, 1, tzinfo=UTC))


# A naive date in a filter is read in the project's timezone: on in UTC for this subject, off in Tokyo.
NEW_YEAR = {"key": "signed_up", "type": "person", "operator": "is_date_before", "value": "2025-01-01 00:00:00"}
SIGNED_UP = "2024-12-31T20:00:00+00:00"


def document(version: int, timezone: str = "UTC") -> bytes:
    flag = {"id": 1, "key": "f", "active": True, "filters": {"groups": [{"rollout_percentage": version}]}}
    dated = {"id": 2, "key": "dated", "active": True, "filters": {"groups": [{"properties": [NEW_YEAR]}]}}
    document = {"flags": [flag, dated], "group_type_mapping": {}, "cohorts": {}, "timezone": timezone}
    return msgspec.json.encode(document)


class CountingCache(SnapshotStore):
    """A source whose content the test changes; it counts full reads and ETag-only reads."""

    def __init__(self) -> None:
        self.version = 1
        self.timezone = "UTC"
        self.reads = 0
        self.etag_reads = 0
        self.invalidated: list[int] = []
        self.gate: asyncio.Event | None = None

    def current(self, kind: SnapshotKind) -> EncodedSnapshot:
        return EncodedSnapshot(body=document(self.version, self.timezone), etag=f"{kind}-v{self.version}")

    async def get(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> EncodedSnapshot:
        self.reads += 1
        snapshot = self.current(kind)
        if self.gate is not None:
            await self.gate.wait()
        return snapshot

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str:
        self.etag_reads += 1
        return self.current(kind).etag

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        return True

    async def generation(self, project_id: int) -> str | None:
        return None

    async def invalidate(self, project_id: int) -> None:
        self.invalidated.append(project_id)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store() -> CountingCache:
    return CountingCache()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cached(store: CountingCache, clock: Clock) -> CachedProjectSnapshots:
    return CachedProjectSnapshots(store, refresh_s=1.0, monotonic=clock)


async def test_reads_within_the_refresh_window_cost_no_tier_read(
    cached: CachedProjectSnapshots, store: CountingCache, clock: Clock
) -> None:
    first = await cached.definitions(PROJECT, with_cohorts=True)
    for _ in range(10):
        clock.now += 0.05
        assert await cached.definitions(PROJECT, with_cohorts=True) == first
    assert (store.reads, store.etag_reads) == (1, 0)


async def test_an_unchanged_snapshot_is_revalidated_by_etag_only(
    cached: CachedProjectSnapshots, store: CountingCache, clock: Clock
) -> None:
    first = await cached.definitions(PROJECT, with_cohorts=False)
    for _ in range(3):
        clock.now += 1.5
        assert await cached.definitions(PROJECT, with_cohorts=False) is first
    assert (store.reads, store.etag_reads) == (1, 3)


async def test_a_change_elsewhere_is_seen_after_the_refresh_window(
    cached: CachedProjectSnapshots, store: CountingCache, clock: Clock
) -> None:
    await cached.definitions(PROJECT, with_cohorts=True)
    store.version = 2
    clock.now += 0.5
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag.endswith("v1")  # within the bound
    clock.now += 0.6
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag.endswith("v2")
    assert store.reads == 2


async def test_the_feed_variants_are_distinct_kinds(cached: CachedProjectSnapshots) -> None:
    with_cohorts = await cached.definitions(PROJECT, with_cohorts=True)
    without = await cached.definitions(PROJECT, with_cohorts=False)
    assert with_cohorts.etag == "definitions_with_cohorts-v1"
    assert without.etag == "definitions-v1"


async def test_invalidate_gives_read_your_writes_and_reaches_the_tiers(
    cached: CachedProjectSnapshots, store: CountingCache
) -> None:
    await cached.definitions(PROJECT, with_cohorts=True)
    store.version = 2
    await cached.invalidate(PROJECT.id)
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag.endswith("v2")
    assert store.invalidated == [PROJECT.id]


async def test_forget_drops_the_local_copy_without_touching_the_tiers(
    cached: CachedProjectSnapshots, store: CountingCache
) -> None:
    await cached.definitions(PROJECT, with_cohorts=True)
    store.version = 2
    cached.forget(PROJECT.id)
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag.endswith("v2")
    assert store.invalidated == []


async def test_forget_all_revalidates_every_project_by_etag(
    cached: CachedProjectSnapshots, store: CountingCache
) -> None:
    other = msgspec.structs.replace(PROJECT, id=2)
    await cached.definitions(PROJECT, with_cohorts=True)
    await cached.definitions(other, with_cohorts=True)
    cached.forget_all()
    await cached.definitions(PROJECT, with_cohorts=True)
    await cached.definitions(other, with_cohorts=True)
    assert store.reads == 4


async def test_compiled_snapshot_is_reused_until_the_etag_changes(
    cached: CachedProjectSnapshots, store: CountingCache, clock: Clock
) -> None:
    first = await cached.compiled(PROJECT)
    clock.now += 5
    assert await cached.compiled(PROJECT) is first  # re-validated, same ETag: not recompiled
    store.version = 50
    clock.now += 5
    second = await cached.compiled(PROJECT)
    assert second is not first


async def test_compiled_snapshot_uses_the_timezone_the_evaluation_snapshot_carries(
    cached: CachedProjectSnapshots, store: CountingCache
) -> None:
    subject = Subject(distinct_id="u", person_properties={"signed_up": SIGNED_UP})
    now = datetime(2025, 6, 1, tzinfo=UTC)
    assert (await cached.compiled(PROJECT)).evaluate(subject, now=now)["dated"].enabled
    store.version, store.timezone = 2, "Asia/Tokyo"
    await cached.invalidate(PROJECT.id)
    # PROJECT itself still says UTC: the snapshot's own timezone wins, so the compiled flags match its bytes.
    assert not (await cached.compiled(PROJECT)).evaluate(subject, now=now)["dated"].enabled


async def test_concurrent_misses_share_one_tier_read(cached: CachedProjectSnapshots, store: CountingCache) -> None:
    store.gate = asyncio.Event()
    readers = [asyncio.create_task(cached.definitions(PROJECT, with_cohorts=True)) for _ in range(20)]
    await asyncio.sleep(0)
    store.gate.set()
    results = await asyncio.gather(*readers)
    assert store.reads == 1
    assert {r.etag for r in results} == {"definitions_with_cohorts-v1"}


async def test_a_fetch_racing_an_invalidation_does_not_store_stale_data(
    cached: CachedProjectSnapshots, store: CountingCache
) -> None:
    store.gate = asyncio.Event()
    slow = asyncio.create_task(cached.definitions(PROJECT, with_cohorts=True))  # reads version 1, then waits
    await asyncio.sleep(0)
    store.version = 2
    await cached.invalidate(PROJECT.id)  # a write committed while the fetch was in flight
    store.gate.set()
    assert (await slow).etag.endswith("v1")
    store.gate = None
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag.endswith("v2")


async def test_a_failed_fetch_is_not_cached(cached: CachedProjectSnapshots, store: CountingCache) -> None:
    class BoomError(Exception):
        pass

    async def failing(project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> EncodedSnapshot:
        raise BoomError

    store.get = failing  # type: ignore[method-assign]
    with pytest.raises(BoomError):
        await cached.definitions(PROJECT, with_cohorts=True)
    del store.get
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag.endswith("v1")


async def test_a_project_unknown_to_the_source_gets_an_empty_snapshot(clock: Clock) -> None:
    class Empty(CountingCache):
        async def get(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> None:  # type: ignore[override]
            return None

    cached = CachedProjectSnapshots(Empty(), refresh_s=1.0, monotonic=clock)
    feed = await cached.definitions(PROJECT, with_cohorts=False)
    assert msgspec.json.decode(feed.body) == {"flags": [], "group_type_mapping": {}, "cohorts": {}}
    assert (await cached.compiled(PROJECT)).flags == {}


async def test_the_last_snapshot_is_served_while_no_tier_answers(
    cached: CachedProjectSnapshots, store: CountingCache, clock: Clock
) -> None:
    first = await cached.definitions(PROJECT, with_cohorts=True)

    async def down(project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str:
        raise BackendUnavailableError

    store.get_etag = down  # type: ignore[method-assign]
    clock.now += 1.5
    assert await cached.definitions(PROJECT, with_cohorts=True) is first
    clock.now += 0.5
    assert await cached.definitions(PROJECT, with_cohorts=True) is first  # not retried within the window
    del store.get_etag
    store.version = 2
    clock.now += 1.0
    assert (await cached.definitions(PROJECT, with_cohorts=True)).etag.endswith("v2")


async def test_without_a_snapshot_held_a_tier_outage_is_an_error(
    cached: CachedProjectSnapshots, store: CountingCache
) -> None:
    async def down(project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> EncodedSnapshot:
        raise BackendUnavailableError

    store.get = down  # type: ignore[method-assign]
    with pytest.raises(BackendUnavailableError):
        await cached.definitions(PROJECT, with_cohorts=True)


class DeepCache(CountingCache):
    def current(self, kind: SnapshotKind) -> EncodedSnapshot:
        deep = b"[" * 5000 + b"]" * 5000
        return EncodedSnapshot(body=b'{"flags": [], "cohorts": {}, "junk": ' + deep + b', "timezone": "UTC"}', etag="e")


async def test_a_stored_snapshot_nested_too_deeply_is_refused_as_not_json() -> None:
    """Guards stored documents (issue 17): reading one nested 5,000 deep raised RecursionError, not DecodeError."""
    snapshots = CachedProjectSnapshots(DeepCache())
    with pytest.raises(msgspec.DecodeError, match="nested deeper than 400 levels"):
        await snapshots.compiled(PROJECT)
