from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flagcore.domain.persons import Group
from flagcore.ports.persons import GroupQuery, GroupRepo
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def _group(key: str, index: int = 0, project_id: int = PROJECT_ID, **properties: object) -> Group:
    return Group(
        project_id=project_id, group_type_index=index, group_key=key, properties=dict(properties), created_at=NOW
    )


async def test_upsert_creates_then_replaces_properties(group_repo: GroupRepo) -> None:
    created = await group_repo.upsert(_group("acme", plan="free"))
    assert created.version == 0
    later = Group(
        project_id=PROJECT_ID,
        group_type_index=0,
        group_key="acme",
        properties={"plan": "pro"},
        created_at=NOW + timedelta(days=1),
    )
    updated = await group_repo.upsert(later)
    assert (updated.properties, updated.version, updated.created_at) == ({"plan": "pro"}, 1, NOW)
    assert await group_repo.get(PROJECT_ID, 0, "acme") == updated


async def test_groups_are_keyed_by_project_type_and_key(group_repo: GroupRepo) -> None:
    await group_repo.upsert(_group("acme", 0, plan="a"))
    await group_repo.upsert(_group("acme", 1, plan="b"))
    await group_repo.upsert(_group("acme", 0, OTHER_PROJECT_ID, plan="c"))
    found = [await group_repo.get(p, i, "acme") for p, i in ((PROJECT_ID, 0), (PROJECT_ID, 1), (OTHER_PROJECT_ID, 0))]
    assert [g.properties["plan"] for g in found if g is not None] == ["a", "b", "c"]
    assert await group_repo.get(PROJECT_ID, 2, "acme") is None


async def test_list_by_type_ordered_by_key_and_searched(group_repo: GroupRepo) -> None:
    for key in ("b-corp", "a-corp", "c-corp"):
        await group_repo.upsert(_group(key, name=f"Name {key.upper()}"))
    await group_repo.upsert(_group("z", 1))
    page = await group_repo.list(PROJECT_ID, GroupQuery(group_type_index=0, limit=2))
    assert [g.group_key for g in page.items] == ["a-corp", "b-corp"]
    assert page.has_more
    found = await group_repo.list(PROJECT_ID, GroupQuery(group_type_index=0, search="name c"))
    assert [g.group_key for g in found.items] == ["c-corp"]
    assert (await group_repo.list(OTHER_PROJECT_ID, GroupQuery(group_type_index=0))).items == []
    assert await group_repo.count(PROJECT_ID, 0) == 3
    assert await group_repo.count(PROJECT_ID, 1) == 1
    assert await group_repo.count(OTHER_PROJECT_ID, 0) == 0
