from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from flagcore.domain.cohorts import NewCohort
from flagcore.ports.cohorts import CohortQuery, CohortRepo
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
FILTERS = {
    "properties": {"type": "AND", "values": [{"type": "person", "key": "plan", "operator": "exact", "value": "pro"}]}
}


def _new(name: str, *, project_id: int = PROJECT_ID, static: bool = False, at: datetime = NOW) -> NewCohort:
    return NewCohort(
        project_id=project_id, name=name, filters={} if static else FILTERS, is_static=static, created_at=at
    )


async def test_create_get_save(cohort_repo: CohortRepo) -> None:
    created = await cohort_repo.create(_new("Pro users"))
    assert (created.name, created.filters, created.version, created.deleted) == ("Pro users", FILTERS, 0, False)
    assert await cohort_repo.get(PROJECT_ID, created.id) == created
    assert await cohort_repo.get(OTHER_PROJECT_ID, created.id) is None
    saved = await cohort_repo.save(msgspec.structs.replace(created, name="Renamed", count=3, deleted=True))
    assert (saved.name, saved.count, saved.deleted, saved.version) == ("Renamed", 3, True, 1)
    assert await cohort_repo.get(PROJECT_ID, created.id) == saved


async def test_list_live_newest_first_with_filters(cohort_repo: CohortRepo) -> None:
    a = await cohort_repo.create(_new("Alpha", at=NOW))
    b = await cohort_repo.create(_new("Beta static", static=True, at=NOW + timedelta(seconds=1)))
    gone = await cohort_repo.create(_new("Gone", at=NOW + timedelta(seconds=2)))
    await cohort_repo.save(msgspec.structs.replace(gone, deleted=True))
    await cohort_repo.create(_new("Elsewhere", project_id=OTHER_PROJECT_ID))
    page = await cohort_repo.list(PROJECT_ID, CohortQuery())
    assert (page.count, [c.id for c in page.items]) == (2, [b.id, a.id])
    assert [c.id for c in (await cohort_repo.list(PROJECT_ID, CohortQuery(type="static"))).items] == [b.id]
    assert [c.id for c in (await cohort_repo.list(PROJECT_ID, CohortQuery(type="dynamic"))).items] == [a.id]
    assert [c.id for c in (await cohort_repo.list(PROJECT_ID, CohortQuery(search="alp"))).items] == [a.id]
    second = await cohort_repo.list(PROJECT_ID, CohortQuery(limit=1, offset=1))
    assert (second.count, [c.id for c in second.items]) == (2, [a.id])
    assert [c.id for c in await cohort_repo.live(PROJECT_ID)] == [a.id, b.id]


async def test_static_membership(cohort_repo: CohortRepo) -> None:
    one = await cohort_repo.create(_new("One", static=True))
    two = await cohort_repo.create(_new("Two", static=True))
    assert await cohort_repo.add_members(one.id, [1, 2, 3, 2]) == 3
    assert await cohort_repo.add_members(one.id, [3, 4]) == 1
    assert await cohort_repo.add_members(two.id, [2]) == 1
    assert await cohort_repo.member_count(one.id) == 4
    assert await cohort_repo.members(one.id, limit=2, offset=1) == [2, 3]
    assert await cohort_repo.memberships(2) == {one.id, two.id}
    assert await cohort_repo.remove_member(one.id, 2)
    assert not await cohort_repo.remove_member(one.id, 2)
    assert await cohort_repo.memberships(2) == {two.id}


async def test_memberships_follow_a_merge_and_a_deletion(cohort_repo: CohortRepo) -> None:
    one = await cohort_repo.create(_new("One", static=True))
    two = await cohort_repo.create(_new("Two", static=True))
    await cohort_repo.add_members(one.id, [1, 5])
    await cohort_repo.add_members(two.id, [1])
    await cohort_repo.move_memberships(1, 5)
    assert await cohort_repo.memberships(1) == frozenset()
    assert await cohort_repo.memberships(5) == {one.id, two.id}
    assert await cohort_repo.member_count(one.id) == 1
    await cohort_repo.forget_person(5)
    assert await cohort_repo.memberships(5) == frozenset()
