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
