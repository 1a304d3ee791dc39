"""The ``SnapshotSource`` contract, through stores that build from it: the database source alone and behind tiers."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from flagcore.domain.evaluation import compile_snapshot
from flagcore.domain.snapshots import SnapshotKind, snapshot_etag
from tests.contract.flag_repo.builders import new_flag
from tests.contract.seed import ORG_ID, OTHER_PROJECT_ID, PROJECT_ID
from tests.contract.snapshot_store.conftest import Source

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def decoded(body: bytes) -> dict[str, object]:
    value: dict[str, object] = msgspec.json.decode(body)
    return value


def keys(body: bytes) -> list[str]:
    flags = decoded(body)["flags"]
    assert isinstance(flags, list)
    return [flag["key"] for flag in flags]


async def test_a_snapshot_holds_the_live_flags_sorted_by_key(snapshot_source: Source) -> None:
    for key in ("b", "a", "c"):
        await snapshot_source.flags.create(new_flag(key))
    deleted = await snapshot_source.flags.create(new_flag("gone", active=False))
    await snapshot_source.flags.soft_delete(PROJECT_ID, deleted.id, expected_version=1)
    await snapshot_source.flags.create(new_flag("off", active=False))
    await snapshot_source.flags.create(new_flag("elsewhere", project_id=OTHER_PROJECT_ID))
    for kind in SnapshotKind:
        snapshot = await snapshot_source.cache.get(PROJECT_ID, kind)
        assert snapshot is not None
        assert keys(snapshot.body) == ["a", "b", "c", "off"]


async def test_the_etag_is_the_digest_of_the_bytes_and_differs_per_kind(snapshot_source: Source) -> None:
    await snapshot_source.flags.create(new_flag("a"))
    etags = set()
    for kind in SnapshotKind:
        snapshot = await snapshot_source.cache.get(PROJECT_ID, kind)
        assert snapshot is not None
        assert snapshot.etag == snapshot_etag(snapshot.body, kind)
        assert await snapshot_source.cache.get_etag(PROJECT_ID, kind) == snapshot.etag
        etags.add(snapshot.etag)
    assert len(etags) == len(SnapshotKind)


async def test_an_etag_only_read_first_matches_the_later_full_read(snapshot_source: Source) -> None:
    await snapshot_source.flags.create(new_flag("a"))
    etag = await snapshot_source.cache.get_etag(PROJECT_ID, SnapshotKind.EVALUATION)
    snapshot = await snapshot_source.cache.get(PROJECT_ID, SnapshotKind.EVALUATION)
    assert snapshot is not None
    assert etag == snapshot.etag


async def test_after_a_change_and_its_invalidation_the_new_snapshot_is_served(snapshot_source: Source) -> None:
    flag = await snapshot_source.flags.create(new_flag("a"))
    before = await snapshot_source.cache.get(PROJECT_ID, SnapshotKind.DEFINITIONS)
    await snapshot_source.flags.update(
        msgspec.structs.replace(flag, key="renamed", updated_at=T0), expected_version=flag.version
    )
    await snapshot_source.cache.invalidate(PROJECT_ID)
    after = await snapshot_source.cache.get(PROJECT_ID, SnapshotKind.DEFINITIONS)
    assert before is not None
    assert after is not None
    assert keys(after.body) == ["renamed"]
    assert after.etag != before.etag
    assert await snapshot_source.cache.get_etag(PROJECT_ID, SnapshotKind.DEFINITIONS) == after.etag


async def test_an_invalidation_without_a_change_keeps_the_etag(snapshot_source: Source) -> None:
    await snapshot_source.flags.create(new_flag("a"))
    before = await snapshot_source.cache.get_etag(PROJECT_ID, SnapshotKind.EVALUATION)
    await snapshot_source.cache.invalidate(PROJECT_ID)
    assert await snapshot_source.cache.get_etag(PROJECT_ID, SnapshotKind.EVALUATION) == before


async def test_the_group_type_mapping_is_part_of_the_snapshot(snapshot_source: Source) -> None:
    await snapshot_source.group_types.ensure(PROJECT_ID, "company", created_at=T0)
    await snapshot_source.cache.invalidate(PROJECT_ID)
    snapshot = await snapshot_source.cache.get(PROJECT_ID, SnapshotKind.DEFINITIONS_WITH_COHORTS)
    assert snapshot is not None
    assert decoded(snapshot.body)["group_type_mapping"] == {"0": "company"}


async def test_the_evaluation_snapshot_carries_the_project_timezone_and_compiles(snapshot_source: Source) -> None:
    project = await snapshot_source.projects.create(
        organization_id=ORG_ID, name="Paris", api_token="phc_paris", timezone="Europe/Paris", created_at=T0
    )
    await snapshot_source.flags.create(new_flag("a", project_id=project.id))
    snapshot = await snapshot_source.cache.get(project.id, SnapshotKind.EVALUATION)
    assert snapshot is not None
    assert decoded(snapshot.body)["timezone"] == "Europe/Paris"
    assert list(compile_snapshot(snapshot.body, timezone="Europe/Paris").flags) == ["a"]
    feed = await snapshot_source.cache.get(project.id, SnapshotKind.DEFINITIONS)
    assert feed is not None
    assert "timezone" not in decoded(feed.body)


async def test_an_unknown_project_has_no_snapshot(snapshot_source: Source) -> None:
    assert await snapshot_source.cache.get(424242, SnapshotKind.DEFINITIONS) is None
    assert await snapshot_source.cache.get_etag(424242, SnapshotKind.DEFINITIONS) is None
