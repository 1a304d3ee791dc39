"""Flag custom actions over HTTP (memory, SQLite, PostgreSQL): status, dependent_flags, bulk_keys, matching_ids,
bulk_delete and the activity log, with their error bodies, bad input and other tenants' ids."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error

FULL: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 100}]}


def depends_on(flag_id: int) -> dict[str, Any]:
    prop = {"key": str(flag_id), "type": "flag", "operator": "flag_evaluates_to", "value": True}
    return {"groups": [{"properties": [prop], "rollout_percentage": 100}]}


async def other_flag(world: World) -> int:
    url = world.url(project=world.other_project_id)
    response = await world.client.post(url, json={"key": "theirs"}, headers=world.auth(world.other_key))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


# --- status --------------------------------------------------------------------------------------------------------


async def test_status_of_a_new_flag_is_active_and_of_a_deleted_one_deleted(world: World) -> None:
    flag = await create(world, "fresh", filters=FULL)
    response = await world.client.get(world.url(f"{flag['id']}/status/"), headers=world.auth())
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    await world.client.patch(world.url(str(flag["id"])), json={"deleted": True}, headers=world.auth())
    response = await world.client.get(world.url(f"{flag['id']}/status"), headers=world.auth())
    assert response.json() == {"status": "deleted", "reason": "Flag has been deleted"}


async def test_status_of_an_unknown_or_foreign_flag_is_unknown_404(world: World) -> None:
    foreign = await other_flag(world)
    for flag_id in (999999, foreign, 2**63):
        response = await world.client.get(world.url(f"{flag_id}/status/"), headers=world.auth())
        assert response.status_code == 404
        assert response.json() == {"status": "unknown", "reason": "Flag could not be found"}


# --- dependent_flags ----------------------------------------------------------------------------------------------


async def test_dependent_flags_lists_active_dependents_by_key(world: World) -> None:
    base = await create(world, "base")
    await create(world, "zeta", filters=depends_on(base["id"]), name="Zeta")
    await create(world, "alpha", filters=depends_on(base["id"]))
    off = await create(world, "off", filters=depends_on(base["id"]))
    await world.client.patch(world.url(str(off["id"])), json={"active": False}, headers=world.auth())
    response = await world.client.get(world.url(f"{base['id']}/dependent_flags/"), headers=world.auth())
    assert response.status_code == 200
    assert [(d["key"], d["name"]) for d in response.json()] == [("alpha", "alpha"), ("zeta", "Zeta")]


async def test_dependent_flags_of_unknown_or_foreign_flag_is_404(world: World) -> None:
    foreign = await other_flag(world)
    for flag_id in (999999, foreign):
        response = await world.client.get(world.url(f"{flag_id}/dependent_flags/"), headers=world.auth())
        assert error(response)[:2] == (404, "invalid_request")


# --- bulk_keys ----------------------------------------------------------------------------------------------------


async def test_bulk_keys_maps_ids_to_keys_and_warns_about_invalid_ones(world: World) -> None:
    a = await create(world, "a")
    b = await create(world, "b")
    gone = await create(world, "gone")
    await world.client.patch(world.url(str(gone["id"])), json={"deleted": True}, headers=world.auth())
    foreign = await other_flag(world)
    body = {"ids": [a["id"], str(b["id"]), gone["id"], foreign, "x"]}
    response = await world.client.post(world.url("bulk_keys/"), json=body, headers=world.auth())
    assert response.status_code == 200
    assert response.json() == {
        "keys": {str(a["id"]): "a", str(b["id"]): "b"},
        "warning": 'Invalid flag IDs ignored: ["x"]',
    }


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({"ids": []}, 200, {"keys": {}}),
        ({}, 200, {"keys": {}}),
        ({"ids": ["x", None, True]}, 400, {"error": "Invalid flag IDs provided"}),
    ],
)
async def test_bulk_keys_empty_and_invalid(world: World, body: Any, status: int, expected: Any) -> None:
    response = await world.client.post(world.url("bulk_keys/"), json=body, headers=world.auth())
    assert (response.status_code, response.json()) == (status, expected)


@pytest.mark.parametrize("raw", [b"[1,2]", b'{"ids": "1"}', b"not json", b'{"ids": {"a": 1}}'])
async def test_bulk_keys_bad_body_is_400(world: World, raw: bytes) -> None:
    headers = {**world.auth(), "Content-Type": "application/json"}
    response = await world.client.post(world.url("bulk_keys/"), content=raw, headers=headers)
    assert response.status_code == 400


# --- matching_ids -------------------------------------------------------------------------------------------------


async def test_matching_ids_uses_the_list_filters_without_paging(world: World) -> None:
    ids = [(await create(world, f"web-{n}", tags=["web"]))["id"] for n in range(3)]
    await create(world, "api", tags=["api"])
    response = await world.client.get(
        world.url("matching_ids/"), params={"tags": json.dumps(["web"]), "limit": "1"}, headers=world.auth()
    )
    assert response.status_code == 200
    assert sorted(response.json()["ids"]) == sorted(ids)
    assert response.json()["total"] == 3
    bad = await world.client.get(world.url("matching_ids/"), params={"order": "secret"}, headers=world.auth())
    assert error(bad)[0] == 400


# --- bulk_delete --------------------------------------------------------------------------------------------------


async def test_bulk_delete_by_ids_respects_dependencies_and_reports_errors(world: World) -> None:
    base = await create(world, "base", filters=FULL)
    child = await create(world, "child", filters=depends_on(base["id"]))
    lonely = await create(world, "lonely")
    keeper = await create(world, "keeper", filters=depends_on(lonely["id"]))
    foreign = await other_flag(world)
    body = {"ids": [base["id"], child["id"], lonely["id"], foreign, "nope"]}
    response = await world.client.post(world.url("bulk_delete/"), json=body, headers=world.auth())
    assert response.status_code == 200, response.text
    result = response.json()
    deleted = {d["key"]: d for d in result["deleted"]}
    assert set(deleted) == {"base", "child"}  # child first, then base has no active dependent left
    assert deleted["base"]["rollout_state"] == "fully_rolled_out"
    assert deleted["child"]["active_variant"] is None
    reasons = {str(e["id"]): e["reason"] for e in result["errors"]}
    assert reasons[str(foreign)] == "Flag not found"
    assert reasons["nope"] == "Invalid flag ID format"
    assert "other flags depend on it" in reasons[str(lonely["id"])]
    live = (await world.client.get(world.url(), headers=world.auth())).json()["results"]
    assert sorted(f["key"] for f in live) == ["keeper", "lonely"]
    del keeper
    theirs = await world.client.get(
        world.url(str(foreign), project=world.other_project_id), headers=world.auth(world.other_key)
    )
    assert theirs.json()["deleted"] is False  # another tenant's flag is untouched


async def test_bulk_delete_by_filters(world: World) -> None:
    await create(world, "web-1", tags=["web"])
    await create(world, "web-2", tags=["web"])
    await create(world, "api", tags=["api"])
    body = {"filters": {"tags": ["web"]}}
    response = await world.client.post(world.url("bulk_delete/"), json=body, headers=world.auth())
    assert response.status_code == 200
    assert sorted(d["key"] for d in response.json()["deleted"]) == ["web-1", "web-2"]
    activity = (await world.client.get(world.url("activity/"), headers=world.auth())).json()
    assert [e["activity"] for e in activity["results"][:2]] == ["deleted", "deleted"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"filters": {}, "ids": []}, "Provide either filters or ids, not both"),
        ({}, "Must provide either filters or ids"),
        ({"filters": {"key": "x"}}, "Unknown filter keys: key"),
    ],
)
async def test_bulk_delete_bad_requests(world: World, body: Any, message: str) -> None:
    response = await world.client.post(world.url("bulk_delete/"), json=body, headers=world.auth())
    assert (response.status_code, response.json()) == (400, {"error": message})


async def test_bulk_delete_bad_filter_value_is_400_and_needs_write_scope(world: World) -> None:
    response = await world.client.post(
        world.url("bulk_delete/"), json={"filters": {"order": "x", "active": "maybe"}}, headers=world.auth()
    )
    assert response.status_code == 400
    response = await world.client.post(
        world.url("bulk_delete/"), json={"filters": {"active": "maybe"}}, headers=world.auth()
    )
    assert error(response)[:2] == (400, "validation_error")
    read_only = await world.client.post(world.url("bulk_delete/"), json={"ids": []}, headers=world.auth(world.read_key))
    assert error(read_only)[0] == 403


# --- activity -----------------------------------------------------------------------------------------------------


async def test_activity_records_create_update_delete_restore_with_changes(world: World) -> None:
    flag = await create(world, "audited")
    url = world.url(str(flag["id"]))
    await world.client.patch(url, json={"name": "Renamed"}, headers=world.auth())
    await world.client.patch(url, json={"deleted": True}, headers=world.auth())
    await world.client.patch(url, json={"deleted": False}, headers=world.auth())
    response = await world.client.get(world.url(f"{flag['id']}/activity/"), headers=world.auth())
    assert response.status_code == 200
    body = response.json()
    assert body["total_count"] == 4
    assert [e["activity"] for e in body["results"]] == ["restored", "deleted", "updated", "created"]
    updated = body["results"][2]
    assert updated["scope"] == "FeatureFlag"
    assert updated["item_id"] == str(flag["id"])
    assert updated["user"] == {"first_name": updated["user"]["first_name"], "email": "admin@flagcore.local"}
    name_change = next(c for c in updated["detail"]["changes"] if c["field"] == "name")
    assert name_change == {
        "type": "FeatureFlag",
        "action": "changed",
        "field": "name",
        "before": "",
        "after": "Renamed",
    }
    assert body["results"][3]["detail"]["changes"] == []
    assert body["results"][3]["detail"]["name"] == "audited"


async def test_activity_pages_with_limit_and_page(world: World) -> None:
    for n in range(5):
        await create(world, f"f{n}")
    first = (await world.client.get(world.url("activity/"), params={"limit": "2"}, headers=world.auth())).json()
    assert first["total_count"] == 5
    assert [e["detail"]["name"] for e in first["results"]] == ["f4", "f3"]
    assert first["previous"] is None
    assert "page=2" in first["next"]
    last = (
        await world.client.get(world.url("activity/"), params={"limit": "2", "page": "3"}, headers=world.auth())
    ).json()
    assert [e["detail"]["name"] for e in last["results"]] == ["f0"]
    assert last["next"] is None
    assert "page=2" in last["previous"]


@pytest.mark.parametrize(("param", "value"), [("limit", "0"), ("limit", "x"), ("page", "0"), ("page", "9" * 30)])
async def test_activity_bad_paging_is_400(world: World, param: str, value: str) -> None:
    response = await world.client.get(world.url("activity/"), params={param: value}, headers=world.auth())
    assert error(response)[:2] == (400, "validation_error")


async def test_activity_of_foreign_or_unknown_flag_is_404_and_needs_activity_scope(world: World) -> None:
    foreign = await other_flag(world)
    for flag_id in (foreign, 999999):
        response = await world.client.get(world.url(f"{flag_id}/activity/"), headers=world.auth())
        assert error(response)[0] == 404
    theirs = await world.client.get(world.url("activity/", project=world.other_project_id), headers=world.auth())
    assert error(theirs)[0] == 404
    scoped = await world.client.get(world.url("activity/"), headers=world.auth(world.read_key))
    assert error(scoped)[0] == 403  # feature_flag:read is not activity_log:read


async def test_other_projects_ids_are_404_on_every_action(world: World) -> None:
    foreign_project = world.other_project_id
    for method, suffix in (
        ("GET", "1/status/"),
        ("GET", "1/dependent_flags/"),
        ("POST", "bulk_keys/"),
        ("GET", "matching_ids/"),
        ("POST", "bulk_delete/"),
        ("GET", "activity/"),
        ("GET", "1/activity/"),
    ):
        response = await world.client.request(
            method, world.url(suffix, project=foreign_project), json={"ids": [1]}, headers=world.auth()
        )
        assert error(response)[0] == 404, (method, suffix)
