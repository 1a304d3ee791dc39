"""The ``FlagRepo`` contract, run against every adapter (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec
import pytest

from flagcore.domain.flags import (
    DependencyInfo,
    DuplicateFlagKeyError,
    FeatureFlag,
    Filters,
    FlagNotFoundError,
    VersionConflictError,
)
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.testing.contracts.flag_builders import MULTIVARIATE, RICH_FILTERS, T0, depends_on, edited, new_flag
from flagcore.testing.contracts.ids import OTHER_PROJECT_ID, OTHER_USER_ID, PROJECT_ID, USER_ID

# --- create / get ---------------------------------------------------------------------------------------------------


async def test_create_assigns_fresh_id_and_version_one(flag_repo: FlagRepo) -> None:
    draft = new_flag("checkout", name="Checkout", tags=("a", "b"), evaluation_tags=("a",), created_by_id=USER_ID)
    first = await flag_repo.create(draft)
    second = await flag_repo.create(new_flag("search"))
    assert first.id != second.id
    assert first.version == 1
    assert not first.deleted
    assert first.updated_at is None
    assert first.last_modified_by_id is None
    assert msgspec.structs.asdict(first) == {
        "id": first.id,
        "version": 1,
        "deleted": False,
        "updated_at": None,
        "last_modified_by_id": None,
        **msgspec.structs.asdict(draft),
    }
    assert await flag_repo.get(PROJECT_ID, first.id) == first


async def test_get_returns_none_for_unknown_id_or_other_project(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    assert await flag_repo.get(PROJECT_ID, flag.id + 1000) is None
    assert await flag_repo.get(OTHER_PROJECT_ID, flag.id) is None


async def test_get_returns_deleted_flag(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    await flag_repo.soft_delete(PROJECT_ID, flag.id, expected_version=1)
    stored = await flag_repo.get(PROJECT_ID, flag.id)
    assert stored is not None
    assert stored.deleted


async def test_get_by_key_finds_live_flag_case_sensitively(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("Checkout"))
    assert await flag_repo.get_by_key(PROJECT_ID, "Checkout") == flag
    assert await flag_repo.get_by_key(PROJECT_ID, "checkout") is None
    assert await flag_repo.get_by_key(OTHER_PROJECT_ID, "Checkout") is None


async def test_get_by_key_ignores_deleted_flag(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    await flag_repo.soft_delete(PROJECT_ID, flag.id, expected_version=1)
    assert await flag_repo.get_by_key(PROJECT_ID, "checkout") is None


async def test_create_duplicate_key_raises(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("checkout"))
    with pytest.raises(DuplicateFlagKeyError):
        await flag_repo.create(new_flag("checkout", name="again"))
    assert (await flag_repo.list(PROJECT_ID, FlagQuery())).count == 1


async def test_same_key_in_other_project_is_allowed(flag_repo: FlagRepo) -> None:
    mine = await flag_repo.create(new_flag("checkout"))
    theirs = await flag_repo.create(new_flag("checkout", project_id=OTHER_PROJECT_ID))
    assert await flag_repo.get_by_key(OTHER_PROJECT_ID, "checkout") == theirs
    assert await flag_repo.get_by_key(PROJECT_ID, "checkout") == mine


async def test_key_is_reusable_after_soft_delete(flag_repo: FlagRepo) -> None:
    old = await flag_repo.create(new_flag("checkout"))
    await flag_repo.soft_delete(PROJECT_ID, old.id, expected_version=1)
    new = await flag_repo.create(new_flag("checkout", name="second life"))
    assert new.id != old.id
    assert await flag_repo.get_by_key(PROJECT_ID, "checkout") == new


async def test_restoring_deleted_flag_whose_key_was_reused_raises(flag_repo: FlagRepo) -> None:
    old = await flag_repo.create(new_flag("checkout"))
    deleted = await flag_repo.soft_delete(PROJECT_ID, old.id, expected_version=1)
    await flag_repo.create(new_flag("checkout"))
    with pytest.raises(DuplicateFlagKeyError):
        await flag_repo.update(edited(deleted, deleted=False), expected_version=deleted.version)
    assert await flag_repo.get(PROJECT_ID, old.id) == deleted


async def test_update_to_a_taken_key_raises(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("checkout"))
    other = await flag_repo.create(new_flag("search"))
    with pytest.raises(DuplicateFlagKeyError):
        await flag_repo.update(edited(other, key="checkout"), expected_version=1)
    assert await flag_repo.get(PROJECT_ID, other.id) == other


# --- update / soft_delete -------------------------------------------------------------------------------------------


async def test_update_writes_every_mutable_field_and_increments_version(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout", created_by_id=USER_ID))
    changed = edited(
        flag,
        key="checkout-v2",
        name="Renamed",
        filters=MULTIVARIATE,
        active=False,
        ensure_experience_continuity=True,
        evaluation_runtime="server",
        bucketing_identifier="device_id",
        is_remote_configuration=True,
        has_encrypted_payloads=True,
        tags=("x", "y"),
        evaluation_tags=("y",),
        last_modified_by_id=OTHER_USER_ID,
        # created_at belongs to the stored flag: an update must not move it.
        created_at=T0 + timedelta(days=1),
    )
    stored = await flag_repo.update(changed, expected_version=1)
    assert stored == msgspec.structs.replace(changed, version=2, created_at=flag.created_at)
    assert await flag_repo.get(PROJECT_ID, flag.id) == stored
    assert await flag_repo.get_by_key(PROJECT_ID, "checkout") is None


async def test_update_with_stale_version_raises_conflict(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    await flag_repo.update(edited(flag, name="first"), expected_version=1)
    with pytest.raises(VersionConflictError) as caught:
        await flag_repo.update(edited(flag, name="second"), expected_version=1)
    assert caught.value.stored_version == 2
    stored = await flag_repo.get(PROJECT_ID, flag.id)
    assert stored is not None
    assert (stored.name, stored.version) == ("first", 2)


async def test_update_of_unknown_flag_raises_not_found(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    with pytest.raises(FlagNotFoundError):
        await flag_repo.update(edited(flag, id=flag.id + 1000), expected_version=1)
    with pytest.raises(FlagNotFoundError):
        await flag_repo.update(edited(flag, project_id=OTHER_PROJECT_ID), expected_version=1)
    assert await flag_repo.get(PROJECT_ID, flag.id) == flag


async def test_soft_delete_marks_deleted_and_increments_version(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    deleted = await flag_repo.soft_delete(PROJECT_ID, flag.id, expected_version=1)
    assert deleted == msgspec.structs.replace(flag, deleted=True, version=2)
    assert await flag_repo.get(PROJECT_ID, flag.id) == deleted
    assert (await flag_repo.list(PROJECT_ID, FlagQuery())).count == 0


async def test_soft_delete_checks_version_and_existence(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    await flag_repo.update(edited(flag), expected_version=1)
    with pytest.raises(VersionConflictError) as caught:
        await flag_repo.soft_delete(PROJECT_ID, flag.id, expected_version=1)
    assert caught.value.stored_version == 2
    with pytest.raises(FlagNotFoundError):
        await flag_repo.soft_delete(PROJECT_ID, flag.id + 1000, expected_version=1)
    with pytest.raises(FlagNotFoundError):
        await flag_repo.soft_delete(OTHER_PROJECT_ID, flag.id, expected_version=2)
    stored = await flag_repo.get(PROJECT_ID, flag.id)
    assert stored is not None
    assert not stored.deleted


async def test_concurrent_updates_with_same_version_let_exactly_one_win(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    writers = 10
    results = await asyncio.gather(
        *(flag_repo.update(edited(flag, name=f"writer {n}"), expected_version=1) for n in range(writers)),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, FeatureFlag)]
    losers = [r for r in results if isinstance(r, VersionConflictError)]
    assert (len(winners), len(losers)) == (1, writers - 1)
    stored = await flag_repo.get(PROJECT_ID, flag.id)
    assert stored == winners[0]
    assert stored.version == 2


async def test_concurrent_creates_with_same_key_let_exactly_one_win(flag_repo: FlagRepo) -> None:
    writers = 5
    results = await asyncio.gather(
        *(flag_repo.create(new_flag("checkout", name=f"writer {n}")) for n in range(writers)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, FeatureFlag)]
    losers = [r for r in results if isinstance(r, DuplicateFlagKeyError)]
    assert (len(winners), len(losers)) == (1, writers - 1)
    assert await flag_repo.get_by_key(PROJECT_ID, "checkout") == winners[0]


# --- stored values round-trip ---------------------------------------------------------------------------------------


async def test_filters_round_trip_unchanged(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("rich", filters=RICH_FILTERS))
    stored = await flag_repo.get(PROJECT_ID, flag.id)
    assert stored is not None
    assert stored.filters == RICH_FILTERS
    # Same JSON, byte for byte, up to the order of object keys (PostgreSQL's JSONB does not keep it).
    assert msgspec.json.encode(stored.filters, order="sorted") == msgspec.json.encode(RICH_FILTERS, order="sorted")
    groups = stored.filters.groups
    # Absent (inherit the flag's aggregation) and null (aggregate by person) are different instructions.
    assert groups[0].aggregation_group_type_index is msgspec.UNSET
    assert groups[1].aggregation_group_type_index is None
    assert groups[2].aggregation_group_type_index == 2


async def test_filters_round_trip_through_update_and_list(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("rich"))
    await flag_repo.update(edited(flag, filters=RICH_FILTERS), expected_version=1)
    page = await flag_repo.list(PROJECT_ID, FlagQuery())
    assert [f.filters for f in page.items] == [RICH_FILTERS]


async def test_empty_filters_round_trip(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("bare", filters=Filters()))
    assert await flag_repo.get(PROJECT_ID, flag.id) == flag


async def test_timestamps_round_trip_timezone_aware(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("checkout"))
    await flag_repo.update(edited(flag, seconds=90), expected_version=1)
    stored = await flag_repo.get(PROJECT_ID, flag.id)
    assert stored is not None
    assert stored.created_at == T0
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.updated_at == T0 + timedelta(seconds=90)
    assert stored.updated_at.utcoffset() == timedelta(0)
    assert stored.updated_at.microsecond == T0.microsecond


# --- dependency_view ------------------------------------------------------------------------------------------------


async def test_dependency_view_lists_live_flags_with_direct_dependencies(flag_repo: FlagRepo) -> None:
    base = await flag_repo.create(new_flag("base"))
    mid = await flag_repo.create(new_flag("mid", filters=depends_on(base.id)))
    top = await flag_repo.create(new_flag("top", filters=depends_on(base.id, mid.id), active=False))
    gone = await flag_repo.create(new_flag("gone", filters=depends_on(base.id)))
    await flag_repo.soft_delete(PROJECT_ID, gone.id, expected_version=1)
    await flag_repo.create(new_flag("elsewhere", project_id=OTHER_PROJECT_ID))
    assert await flag_repo.dependency_view(PROJECT_ID) == {
        base.id: DependencyInfo(key="base", active=True, depends_on=frozenset()),
        mid.id: DependencyInfo(key="mid", active=True, depends_on=frozenset({base.id})),
        top.id: DependencyInfo(key="top", active=False, depends_on=frozenset({base.id, mid.id})),
    }


async def test_dependency_view_of_empty_project_is_empty(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("elsewhere", project_id=OTHER_PROJECT_ID))
    assert await flag_repo.dependency_view(PROJECT_ID) == {}


async def test_has_encrypted_payloads_sees_any_project_and_deleted_flags(flag_repo: FlagRepo) -> None:
    assert await flag_repo.has_encrypted_payloads() is False
    await flag_repo.create(new_flag("plain"))
    assert await flag_repo.has_encrypted_payloads() is False
    secret = await flag_repo.create(
        new_flag("secret", project_id=OTHER_PROJECT_ID, is_remote_configuration=True, has_encrypted_payloads=True)
    )
    assert await flag_repo.has_encrypted_payloads() is True
    await flag_repo.soft_delete(OTHER_PROJECT_ID, secret.id, expected_version=1)
    assert await flag_repo.has_encrypted_payloads() is True
