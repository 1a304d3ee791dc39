"""The ``SnapshotStore`` contract for the tiers that store snapshots: memory, Redis, S3."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.ports.snapshot_store import SnapshotStore

#: Builds a store whose snapshots live ``ttl_s`` seconds (the TTL tests need a short one).
StoreFactory = Callable[[float], SnapshotStore]
P, Q = 11, 12
KIND = SnapshotKind.DEFINITIONS
SNAP = EncodedSnapshot(body=b'{"flags":[],"group_type_mapping":{},"cohorts":{}}', etag="0123456789abcdef")
OTHER = EncodedSnapshot(body=b'{"flags":[{"key":"a"}],"group_type_mapping":{},"cohorts":{}}', etag="fedcba9876543210")


async def test_a_missing_snapshot_is_none(snapshot_store: SnapshotStore) -> None:
    assert await snapshot_store.get(P, KIND) is None
    assert await snapshot_store.get_etag(P, KIND) is None


async def test_put_then_get_returns_the_bytes_and_etag(snapshot_store: SnapshotStore) -> None:
    assert await snapshot_store.put(P, KIND, SNAP)
    assert await snapshot_store.get(P, KIND) == SNAP
    assert await snapshot_store.get_etag(P, KIND) == SNAP.etag


async def test_bytes_are_kept_exactly(snapshot_store: SnapshotStore) -> None:
    body = os.urandom(300_000) + b"\x00\xff" + "é".encode()
    await snapshot_store.put(P, KIND, EncodedSnapshot(body=body, etag="e"))
    stored = await snapshot_store.get(P, KIND)
    assert stored is not None
    assert stored.body == body


async def test_a_put_replaces_the_previous_snapshot(snapshot_store: SnapshotStore) -> None:
    await snapshot_store.put(P, KIND, SNAP)
    await snapshot_store.put(P, KIND, OTHER)
    assert await snapshot_store.get(P, KIND) == OTHER
    assert await snapshot_store.get_etag(P, KIND) == OTHER.etag


async def test_kinds_and_projects_are_independent(snapshot_store: SnapshotStore) -> None:
    await snapshot_store.put(P, SnapshotKind.DEFINITIONS, SNAP)
    await snapshot_store.put(P, SnapshotKind.EVALUATION, OTHER)
    assert await snapshot_store.get(P, SnapshotKind.DEFINITIONS_WITH_COHORTS) is None
    assert await snapshot_store.get(Q, SnapshotKind.DEFINITIONS) is None
    assert await snapshot_store.get(P, SnapshotKind.DEFINITIONS) == SNAP
    assert await snapshot_store.get(P, SnapshotKind.EVALUATION) == OTHER


async def test_invalidate_drops_every_kind_of_that_project_only(snapshot_store: SnapshotStore) -> None:
    for kind in SnapshotKind:
        await snapshot_store.put(P, kind, SNAP)
        await snapshot_store.put(Q, kind, OTHER)
    await snapshot_store.invalidate(P)
    for kind in SnapshotKind:
        assert await snapshot_store.get(P, kind) is None
        assert await snapshot_store.get_etag(P, kind) is None
        assert await snapshot_store.get(Q, kind) == OTHER


async def test_invalidating_an_unknown_project_is_harmless(snapshot_store: SnapshotStore) -> None:
    await snapshot_store.invalidate(999)
    assert await snapshot_store.get(999, KIND) is None


async def test_snapshots_expire_after_their_ttl(store_factory: StoreFactory) -> None:
    store = store_factory(0.3)
    await store.put(P, KIND, SNAP)
    assert await store.get(P, KIND) == SNAP
    await asyncio.sleep(0.45)
    assert await store.get(P, KIND) is None
    assert await store.get_etag(P, KIND) is None


async def test_a_put_stamped_with_the_current_generation_is_served(snapshot_store: SnapshotStore) -> None:
    generation = await snapshot_store.generation(P) or "g1"
    assert await snapshot_store.put(P, KIND, SNAP, generation=generation)
    assert await snapshot_store.get(P, KIND, generation=generation) == SNAP
    assert await snapshot_store.get_etag(P, KIND, generation=generation) == SNAP.etag
    assert await snapshot_store.get(P, KIND) == SNAP


async def test_an_entry_of_another_generation_counts_as_absent(snapshot_store: SnapshotStore) -> None:
    generation = await snapshot_store.generation(P) or "g1"
    await snapshot_store.put(P, KIND, SNAP, generation=generation)
    assert await snapshot_store.get(P, KIND, generation="some-other-generation") is None
    assert await snapshot_store.get_etag(P, KIND, generation="some-other-generation") is None


async def test_a_put_built_before_an_invalidation_is_never_served_after_it(snapshot_store: SnapshotStore) -> None:
    # The stale-put race: a reader reads the generation and builds; a writer commits and invalidates; the reader
    # then stores its (stale) build. Tiers refuse it or stamp it; readers asking with the new generation miss it.
    before = await snapshot_store.generation(P)
    await snapshot_store.invalidate(P)
    after = await snapshot_store.generation(P)
    await snapshot_store.put(P, KIND, SNAP, generation=before or "before")
    assert await snapshot_store.get(P, KIND, generation=after or "after") is None
    assert await snapshot_store.get_etag(P, KIND, generation=after or "after") is None


async def test_a_tracked_generation_is_stable_until_an_invalidation_moves_it(snapshot_store: SnapshotStore) -> None:
    first = await snapshot_store.generation(P)
    assert await snapshot_store.generation(P) == first
    await snapshot_store.invalidate(P)
    moved = await snapshot_store.generation(P)
    assert (first is None) == (moved is None)  # a tier tracks generations or it does not
    if first is not None:
        assert moved != first
        assert await snapshot_store.put(P, KIND, SNAP, generation=first) is False
        assert await snapshot_store.get(P, KIND) is None
