from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from flagcore.domain.groups import MAX_GROUP_TYPES, GroupTypeLimitError
from flagcore.ports.groups import GroupTypeRepo
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


async def test_ensure_assigns_indexes_in_order_of_first_use(group_type_repo: GroupTypeRepo) -> None:
    company = await group_type_repo.ensure(PROJECT_ID, "company", created_at=NOW)
    team = await group_type_repo.ensure(PROJECT_ID, "team", created_at=NOW)
    assert (company.group_type_index, team.group_type_index) == (0, 1)
    assert [t.group_type for t in await group_type_repo.list(PROJECT_ID)] == ["company", "team"]


async def test_ensure_is_idempotent(group_type_repo: GroupTypeRepo) -> None:
    first = await group_type_repo.ensure(PROJECT_ID, "company", created_at=NOW)
    again = await group_type_repo.ensure(PROJECT_ID, "company", created_at=NOW)
    assert again == first
    assert len(await group_type_repo.list(PROJECT_ID)) == 1


async def test_projects_are_independent(group_type_repo: GroupTypeRepo) -> None:
    await group_type_repo.ensure(PROJECT_ID, "company", created_at=NOW)
    other = await group_type_repo.ensure(OTHER_PROJECT_ID, "team", created_at=NOW)
    assert other.group_type_index == 0
    assert [t.group_type for t in await group_type_repo.list(OTHER_PROJECT_ID)] == ["team"]


async def test_at_most_five_group_types(group_type_repo: GroupTypeRepo) -> None:
    for index in range(MAX_GROUP_TYPES):
        await group_type_repo.ensure(PROJECT_ID, f"type-{index}", created_at=NOW)
    with pytest.raises(GroupTypeLimitError):
        await group_type_repo.ensure(PROJECT_ID, "one-too-many", created_at=NOW)
    assert (await group_type_repo.ensure(PROJECT_ID, "type-2", created_at=NOW)).group_type_index == 2


async def test_concurrent_ensures_agree(group_type_repo: GroupTypeRepo) -> None:
    names = ["company", "company", "team", "company", "team", "project"]
    results = await asyncio.gather(*(group_type_repo.ensure(PROJECT_ID, n, created_at=NOW) for n in names))
    by_name = {r.group_type: r.group_type_index for r in results}
    assert all(by_name[r.group_type] == r.group_type_index for r in results)
    assert sorted(by_name.values()) == [0, 1, 2]
    assert len(await group_type_repo.list(PROJECT_ID)) == 3


async def test_update_names(group_type_repo: GroupTypeRepo) -> None:
    await group_type_repo.ensure(PROJECT_ID, "company", created_at=NOW)
    updated = await group_type_repo.update_names(PROJECT_ID, 0, name_singular="Company", name_plural="Companies")
    assert updated is not None
    assert (updated.name_singular, updated.name_plural) == ("Company", "Companies")
    assert (await group_type_repo.list(PROJECT_ID))[0].name_plural == "Companies"
    assert await group_type_repo.update_names(PROJECT_ID, 3, name_singular="x", name_plural=None) is None
    assert await group_type_repo.update_names(OTHER_PROJECT_ID, 0, name_singular="x", name_plural=None) is None


async def test_created_at_round_trips(group_type_repo: GroupTypeRepo) -> None:
    created = await group_type_repo.ensure(PROJECT_ID, "company", created_at=NOW)
    assert created.created_at == NOW
    assert (await group_type_repo.list(PROJECT_ID))[0].created_at == NOW
