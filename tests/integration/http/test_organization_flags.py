"""Organization flag routes over HTTP: one key across the organization's projects, and copy_flags."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error


def org_url(world: World, suffix: str, organization: str | None = None) -> str:
    return f"/api/organizations/{organization or world.organization_id}/feature_flags/{suffix}"


async def test_key_across_projects_lists_one_item_per_project_with_the_flag(world: World) -> None:
    here = await create(world, "shared")
    there = await world.client.post(
        world.url(project=world.sibling_project_id), json={"key": "shared", "active": False}, headers=world.auth()
    )
    assert there.status_code == 201
    await world.client.post(
        world.url(project=world.other_project_id), json={"key": "shared"}, headers=world.auth(world.other_key)
    )
    response = await world.client.get(org_url(world, "shared/"), headers=world.auth())
    assert response.status_code == 200
    items = response.json()
    assert [(i["team_id"], i["flag_id"], i["active"]) for i in items] == [
        (world.project_id, here["id"], True),
        (world.sibling_project_id, there.json()["id"], False),
    ]  # never the other organization's project
    assert items[0]["created_by"]["email"] == "admin@flagcore.local"
    assert set(items[0]) == {"flag_id", "team_id", "created_by", "filters", "created_at", "active"}
    missing = await world.client.get(org_url(world, "nope/"), headers=world.auth())
    assert (missing.status_code, missing.json()) == (200, [])


async def test_another_organization_is_404(world: World) -> None:
    for method, suffix in (("GET", "shared/"), ("POST", "copy_flags/")):
        response = await world.client.request(
            method, org_url(world, suffix, world.other_organization_id), json={}, headers=world.auth()
        )
        assert error(response)[0] == 404
    unknown = await world.client.get(org_url(world, "x/", "no-such-org"), headers=world.auth())
    assert error(unknown)[0] == 404


async def test_copy_creates_or_patches_per_target_and_reports_failures(world: World) -> None:
    source = await create(world, "copied", name="Copied", filters={"groups": [{"rollout_percentage": 30}]})
    body = {
        "feature_flag_key": "copied",
        "from_project": world.project_id,
        "target_project_ids": [world.sibling_project_id, world.other_project_id, 999999],
    }
    response = await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(f["key"], f["name"], f["version"]) for f in result["success"]] == [("copied", "Copied", 1)]
    assert result["success"][0]["filters"]["groups"] == source["filters"]["groups"]
    assert result["failed"] == [
        {"project_id": world.other_project_id, "errors": "Project not found."},  # another organization's project
        {"project_id": 999999, "errors": "Project not found."},
    ]
    # Again, after the source changed: the target's flag is patched, not duplicated.
    await world.client.patch(world.url(str(source["id"])), json={"active": False}, headers=world.auth())
    body["target_project_ids"] = [world.sibling_project_id]
    again = (await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())).json()
    copied = again["success"][0]
    assert (copied["id"], copied["active"], copied["version"]) == (result["success"][0]["id"], False, 2)
    activity = await world.client.get(
        world.url(f"{copied['id']}/activity/", project=world.sibling_project_id), headers=world.auth()
    )
    assert [e["activity"] for e in activity.json()["results"]] == ["updated", "created"]
    theirs = await world.client.get(world.url(project=world.other_project_id), headers=world.auth(world.other_key))
    assert theirs.json()["count"] == 0


async def test_a_failing_target_does_not_undo_the_others(world: World) -> None:
    base = await create(world, "base")
    dependent = {"key": str(base["id"]), "type": "flag", "operator": "flag_evaluates_to", "value": True}
    await create(world, "child", filters={"groups": [{"properties": [dependent], "rollout_percentage": 100}]})
    body = {
        "feature_flag_key": "child",
        "from_project": world.project_id,
        "target_project_ids": [world.sibling_project_id],
    }
    result = (await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())).json()
    assert result["success"] == []
    assert "non-existent flag" in result["failed"][0]["errors"]  # the dependency's id is not in the target
    body = {
        "feature_flag_key": "base",
        "from_project": world.project_id,
        "target_project_ids": [world.sibling_project_id],
    }
    assert (
        len((await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())).json()["success"])
        == 1
    )


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 400, {"error": "Missing required fields"}),
        ({"feature_flag_key": "x", "from_project": 1}, 400, {"error": "Missing required fields"}),
        ({"feature_flag_key": "nope", "from_project": 0, "target_project_ids": [1]}, 404, None),
    ],
)
async def test_copy_errors(world: World, body: dict[str, Any], status: int, expected: Any) -> None:
    response = await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())
    assert response.status_code == status
    if expected is not None:
        assert response.json() == expected
    else:
        assert response.json()["detail"] == "Feature flag to copy does not exist."


async def test_copy_from_another_organizations_project_is_source_not_found(world: World) -> None:
    await world.client.post(
        world.url(project=world.other_project_id), json={"key": "theirs"}, headers=world.auth(world.other_key)
    )
    body = {
        "feature_flag_key": "theirs",
        "from_project": world.other_project_id,
        "target_project_ids": [world.project_id],
    }
    response = await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())
    assert response.json()["detail"] == "Feature flag to copy does not exist."


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'{"target_project_ids": "1"}', b'{"from_project": "x"}', b"nope", b'{"target_project_ids": [1.5]}'],
)
async def test_copy_bad_bodies_are_400(world: World, raw: bytes) -> None:
    headers = {**world.auth(), "Content-Type": "application/json"}
    response = await world.client.post(org_url(world, "copy_flags/"), content=raw, headers=headers)
    assert response.status_code == 400


async def test_copy_caps_targets_and_needs_write_scope(world: World) -> None:
    await create(world, "capped")
    body = {"feature_flag_key": "capped", "from_project": world.project_id, "target_project_ids": list(range(1, 52))}
    response = await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())
    assert error(response)[0] == 400
    body["target_project_ids"] = [world.sibling_project_id]
    read_only = await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth(world.read_key))
    assert error(read_only)[0] == 403
    readable = await world.client.get(org_url(world, "capped/"), headers=world.auth(world.read_key))
    assert readable.status_code == 200


# --- cohorts carried over by name ----------------------------------------------------------------------------------

SIBLING_TOKEN = "phc_sibling0123456789"  # the seeded sibling project's public token (conftest)
PRO = {"type": "AND", "values": [{"type": "person", "key": "plan", "operator": "exact", "value": "pro"}]}


def cohorts_url(project: int, suffix: str = "") -> str:
    return f"/api/projects/{project}/cohorts/{suffix}"


async def make_cohort(world: World, project: int, name: str, properties: dict[str, Any], **extra: Any) -> int:
    body = {"name": name, "filters": {"properties": properties}, **extra}
    response = await world.client.post(cohorts_url(project), json=body, headers=world.auth())
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def cohorts_of(world: World, project: int) -> dict[str, dict[str, Any]]:
    response = await world.client.get(cohorts_url(project), headers=world.auth())
    assert response.status_code == 200, response.text
    return {c["name"]: c for c in response.json()["results"]}


def in_cohort(cohort_id: int) -> dict[str, Any]:
    return {"key": "id", "type": "cohort", "value": cohort_id}


async def copy_to(world: World, key: str, *targets: int) -> dict[str, Any]:
    body = {"feature_flag_key": key, "from_project": world.project_id, "target_project_ids": list(targets)}
    response = await world.client.post(org_url(world, "copy_flags/"), json=body, headers=world.auth())
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def sibling_enabled(world: World, key: str, **person_properties: Any) -> bool:
    body = {"api_key": SIBLING_TOKEN, "distinct_id": "u", "person_properties": person_properties}
    response = await world.client.post("/flags?v=2", json=body)
    assert response.status_code == 200, response.text
    return bool(response.json()["flags"][key]["enabled"])


def flag_cohort_values(flag: dict[str, Any]) -> list[Any]:
    return [p["value"] for g in flag["filters"]["groups"] for p in g.get("properties", []) if p["type"] == "cohort"]


async def test_copy_creates_a_missing_cohort_and_rewrites_its_id(world: World) -> None:
    await make_cohort(world, world.sibling_project_id, "Unrelated", PRO)  # ids differ between the projects
    pro = await make_cohort(world, world.project_id, "Pro", PRO, description="paying")
    await create(world, "for-pro", filters={"groups": [{"properties": [in_cohort(pro)], "rollout_percentage": 100}]})
    result = await copy_to(world, "for-pro", world.sibling_project_id)
    assert result["failed"] == []
    theirs = await cohorts_of(world, world.sibling_project_id)
    assert set(theirs) == {"Unrelated", "Pro"}
    created = theirs["Pro"]
    assert created["id"] != pro
    assert (created["filters"]["properties"], created["description"], created["is_static"]) == (PRO, "paying", False)
    assert flag_cohort_values(result["success"][0]) == [created["id"]]
    assert await sibling_enabled(world, "for-pro", plan="pro")
    assert not await sibling_enabled(world, "for-pro", plan="free")
    assert set(await cohorts_of(world, world.project_id)) == {"Pro"}  # the source is untouched


async def test_copy_reuses_a_cohort_of_the_same_name(world: World) -> None:
    free = {"type": "AND", "values": [{"type": "person", "key": "plan", "operator": "exact", "value": "free"}]}
    theirs = await make_cohort(world, world.sibling_project_id, "Pro", free)  # same name: reused as it is
    pro = await make_cohort(world, world.project_id, "Pro", PRO)
    await create(world, "for-pro", filters={"groups": [{"properties": [in_cohort(pro)], "rollout_percentage": 100}]})
    for _ in range(2):  # a second copy (a PATCH) reuses it too
        result = await copy_to(world, "for-pro", world.sibling_project_id)
        assert flag_cohort_values(result["success"][0]) == [theirs]
    listed = await world.client.get(cohorts_url(world.sibling_project_id), headers=world.auth())
    assert listed.json()["count"] == 1
    assert await sibling_enabled(world, "for-pro", plan="free")
    assert not await sibling_enabled(world, "for-pro", plan="pro")


async def test_copy_carries_nested_cohorts_dependencies_first(world: World) -> None:
    base = await make_cohort(world, world.project_id, "Base", PRO)
    french = {"type": "person", "key": "country", "operator": "exact", "value": "FR"}
    outer = await make_cohort(world, world.project_id, "Outer", {"type": "AND", "values": [in_cohort(base), french]})
    vips = (
        await world.client.post(
            cohorts_url(world.project_id), json={"name": "VIPs", "is_static": True}, headers=world.auth()
        )
    ).json()["id"]
    groups = [
        {"properties": [in_cohort(outer)], "rollout_percentage": 100},
        {"properties": [in_cohort(vips)], "rollout_percentage": 100},
    ]
    await create(world, "nested", filters={"groups": groups})
    result = await copy_to(world, "nested", world.sibling_project_id)
    assert result["failed"] == []
    theirs = await cohorts_of(world, world.sibling_project_id)
    assert set(theirs) == {"Base", "Outer", "VIPs"}
    assert theirs["Outer"]["filters"]["properties"]["values"] == [in_cohort(theirs["Base"]["id"]), french]
    assert (theirs["VIPs"]["is_static"], theirs["VIPs"]["count"]) == (True, 0)  # static members are not copied
    assert flag_cohort_values(result["success"][0]) == [theirs["Outer"]["id"], theirs["VIPs"]["id"]]
    assert await sibling_enabled(world, "nested", plan="pro", country="FR")
    assert not await sibling_enabled(world, "nested", plan="pro", country="DE")


async def test_a_target_failing_after_its_cohorts_were_created_keeps_none_of_them(world: World) -> None:
    pro = await make_cohort(world, world.project_id, "Pro", PRO)
    base = await create(world, "base")
    dependent = {"key": str(base["id"]), "type": "flag", "operator": "flag_evaluates_to", "value": True}
    properties = [in_cohort(pro), dependent]
    child = await create(world, "child", filters={"groups": [{"properties": properties, "rollout_percentage": 100}]})
    # The sibling's cohort is created in its unit of work, then the flag's dependency fails there: all rolled back.
    # The source project itself, a target too, succeeds (its cohort is matched by name: no duplicate).
    result = await copy_to(world, "child", world.sibling_project_id, world.project_id)
    assert [f["project_id"] for f in result["failed"]] == [world.sibling_project_id]
    assert "non-existent flag" in result["failed"][0]["errors"]
    assert [(f["id"], flag_cohort_values(f)) for f in result["success"]] == [(child["id"], [pro])]
    assert await cohorts_of(world, world.sibling_project_id) == {}
    assert set(await cohorts_of(world, world.project_id)) == {"Pro"}
