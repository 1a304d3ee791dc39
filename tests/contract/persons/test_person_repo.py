from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagcore.domain.errors import ConflictError
from flagcore.domain.persons import NewPerson, person_uuid
from flagcore.ports.persons import PersonQuery, PersonRepo
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def _new(*distinct_ids: str, project_id: int = PROJECT_ID, at: datetime = NOW, **properties: object) -> NewPerson:
    return NewPerson(project_id=project_id, distinct_ids=distinct_ids, properties=dict(properties), created_at=at)


async def test_create_then_read_by_each_distinct_id(person_repo: PersonRepo) -> None:
    created = await person_repo.create(_new("anon-1", "user-1", plan="pro"))
    assert created.uuid == person_uuid(PROJECT_ID, "anon-1")
    assert created.version == 0
    for distinct_id in ("anon-1", "user-1"):
        found = await person_repo.by_distinct_id(PROJECT_ID, distinct_id)
        assert found == created
    assert found is not None
    assert found.distinct_ids == ("anon-1", "user-1")
    assert found.properties == {"plan": "pro"}


async def test_distinct_ids_are_per_project(person_repo: PersonRepo) -> None:
    await person_repo.create(_new("shared"))
    assert await person_repo.by_distinct_id(OTHER_PROJECT_ID, "shared") is None
    other = await person_repo.create(_new("shared", project_id=OTHER_PROJECT_ID))
    mine = await person_repo.by_distinct_id(PROJECT_ID, "shared")
    assert mine is not None
    assert other.id != mine.id
    assert await person_repo.get(OTHER_PROJECT_ID, mine.id) is None


async def test_a_distinct_id_names_one_person(person_repo: PersonRepo) -> None:
    await person_repo.create(_new("taken"))
    with pytest.raises(ConflictError):
        await person_repo.create(_new("fresh", "taken"))
    assert await person_repo.by_distinct_id(PROJECT_ID, "fresh") is None
    person = await person_repo.create(_new("other"))
    with pytest.raises(ConflictError):
        await person_repo.add_distinct_id(person, "taken")


async def test_update_replaces_properties_and_bumps_version(person_repo: PersonRepo) -> None:
    person = await person_repo.create(_new("u", plan="free", age=3))
    updated = await person_repo.update(person, properties={"plan": "pro"}, is_identified=True)
    assert (updated.properties, updated.is_identified, updated.version) == ({"plan": "pro"}, True, 1)
    assert await person_repo.by_distinct_id(PROJECT_ID, "u") == updated


async def test_add_distinct_id(person_repo: PersonRepo) -> None:
    person = await person_repo.create(_new("a"))
    added = await person_repo.add_distinct_id(person, "b")
    assert added.distinct_ids == ("a", "b")
    assert await person_repo.by_distinct_id(PROJECT_ID, "b") == added


async def test_merge_moves_ids_deletes_other_keeps_older_creation(person_repo: PersonRepo) -> None:
    older = NOW - timedelta(days=3)
    other = await person_repo.create(_new("anon", "anon-2", at=older, a=1))
    into = await person_repo.create(_new("user", b=2))
    merged = await person_repo.merge(other, into, properties={"a": 1, "b": 2}, version=7)
    assert merged.id == into.id
    assert set(merged.distinct_ids) == {"user", "anon", "anon-2"}
    assert (merged.properties, merged.is_identified, merged.version, merged.created_at) == (
        {"a": 1, "b": 2},
        True,
        7,
        older,
    )
    assert await person_repo.get(PROJECT_ID, other.id) is None
    for distinct_id in ("anon", "anon-2", "user"):
        assert await person_repo.by_distinct_id(PROJECT_ID, distinct_id) == merged


async def test_by_distinct_ids_and_uuids(person_repo: PersonRepo) -> None:
    a = await person_repo.create(_new("a", "a2"))
    b = await person_repo.create(_new("b"))
    assert await person_repo.by_distinct_ids(PROJECT_ID, ["a2", "b", "missing"]) == {"a2": a, "b": b}
    assert await person_repo.by_uuids(PROJECT_ID, [b.uuid, a.uuid, person_uuid(PROJECT_ID, "nobody")]) == [a, b]
    assert await person_repo.by_uuids(OTHER_PROJECT_ID, [a.uuid]) == []


async def test_delete_frees_the_distinct_ids(person_repo: PersonRepo) -> None:
    person = await person_repo.create(_new("gone", "gone-2"))
    assert not await person_repo.delete(OTHER_PROJECT_ID, person.id)
    assert await person_repo.delete(PROJECT_ID, person.id)
    assert not await person_repo.delete(PROJECT_ID, person.id)
    assert await person_repo.by_distinct_id(PROJECT_ID, "gone-2") is None
    again = await person_repo.create(_new("gone"))
    assert again.id != person.id


async def test_list_newest_first_paginated_and_searched(person_repo: PersonRepo) -> None:
    made = [await person_repo.create(_new(f"p{i}", email=f"P{i}@Example.com")) for i in range(5)]
    await person_repo.create(_new("elsewhere", project_id=OTHER_PROJECT_ID))
    page = await person_repo.list(PROJECT_ID, PersonQuery(limit=2))
    assert [p.id for p in page.items] == [made[4].id, made[3].id]
    assert page.has_more
    last = await person_repo.list(PROJECT_ID, PersonQuery(limit=2, offset=4))
    assert [p.id for p in last.items] == [made[0].id]
    assert not last.has_more
    by_id = await person_repo.list(PROJECT_ID, PersonQuery(search="p2"))
    assert [p.id for p in by_id.items] == [made[2].id]
    by_email = await person_repo.list(PROJECT_ID, PersonQuery(search="p3@example"))
    assert [p.id for p in by_email.items] == [made[3].id]
    exact = await person_repo.list(PROJECT_ID, PersonQuery(distinct_id="p1"))
    assert [p.id for p in exact.items] == [made[1].id]
    assert (await person_repo.list(PROJECT_ID, PersonQuery(search="100%_"))).items == []
    assert await person_repo.count(PROJECT_ID) == 5


async def test_any_distinct_id_round_trips(person_repo: PersonRepo) -> None:
    odd = ["nul\x00id", "back\\slash", "ünïcode", "x" * 400]
    person = await person_repo.create(_new(*odd))
    assert person.distinct_ids == tuple(odd)
    for distinct_id in odd:
        found = await person_repo.by_distinct_id(PROJECT_ID, distinct_id)
        assert found is not None
        assert found.distinct_ids == tuple(odd)


async def test_nested_properties_round_trip(person_repo: PersonRepo) -> None:
    properties = {"n": 1.5, "b": False, "none": None, "list": [1, "a"], "obj": {"k": {"deep": True}}}
    await person_repo.create(_new("p", **properties))
    found = await person_repo.by_distinct_id(PROJECT_ID, "p")
    assert found is not None
    assert found.properties == properties


async def test_scan_pages_by_id_lowest_first_with_distinct_ids(person_repo: PersonRepo) -> None:
    made = [await person_repo.create(_new(f"s{i}", f"s{i}-alias", n=i)) for i in range(5)]
    await person_repo.create(_new("elsewhere", project_id=OTHER_PROJECT_ID))
    first = await person_repo.scan(PROJECT_ID, after_id=0, limit=2)
    assert [p.id for p in first] == [made[0].id, made[1].id]
    assert first[0].distinct_ids == ("s0", "s0-alias")
    assert first[1].properties == {"n": 1}
    rest = await person_repo.scan(PROJECT_ID, after_id=first[-1].id, limit=10)
    assert [p.id for p in rest] == [p.id for p in made[2:]]
    assert await person_repo.scan(PROJECT_ID, after_id=made[-1].id, limit=10) == []
    await person_repo.delete(PROJECT_ID, made[3].id)
    assert [p.id for p in await person_repo.scan(PROJECT_ID, after_id=made[2].id, limit=10)] == [made[4].id]


async def test_by_emails_matches_the_email_property_exactly(person_repo: PersonRepo) -> None:
    a = await person_repo.create(_new("a", email="a@x.io"))
    await person_repo.create(_new("b", email="A@X.IO"))
    c = await person_repo.create(_new("c", email="c@x.io"))
    await person_repo.create(_new("d", email=7))
    await person_repo.create(_new("e", email="a@x.io", project_id=OTHER_PROJECT_ID))
    found = await person_repo.by_emails(PROJECT_ID, ["a@x.io", "c@x.io", "none@x.io"])
    assert [p.id for p in found] == [a.id, c.id]
    assert await person_repo.by_emails(PROJECT_ID, []) == []
