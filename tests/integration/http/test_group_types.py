from __future__ import annotations

from typing import Any

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error

TYPES = "/api/projects/@current/groups_types/"


async def register(world: World, name: str) -> dict[str, Any]:
    response = await world.client.post(TYPES, json={"group_type": name}, headers=world.auth())
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_group_types_are_listed_by_index(world: World) -> None:
    assert (await world.client.get(TYPES, headers=world.auth())).json() == []
    company = await register(world, "company")
    team = await register(world, "team")
    assert (company["group_type_index"], team["group_type_index"]) == (0, 1)
    assert (await register(world, "company"))["group_type_index"] == 0  # idempotent
    listed = (await world.client.get(TYPES, headers=world.auth())).json()
    assert [(t["group_type"], t["group_type_index"]) for t in listed] == [("company", 0), ("team", 1)]
    assert set(listed[0]) >= {"group_type", "group_type_index", "name_singular", "name_plural", "created_at"}


async def test_update_metadata_renames(world: World) -> None:
    await register(world, "company")
    response = await world.client.patch(
        TYPES + "update_metadata",
        json=[{"group_type_index": 0, "name_singular": "Company", "name_plural": "Companies"}],
        headers=world.auth(),
    )
    assert response.status_code == 200
    assert response.json()[0]["name_plural"] == "Companies"
    missing = await world.client.patch(
        TYPES + "update_metadata", json=[{"group_type_index": 4, "name_singular": "x"}], headers=world.auth()
    )
    assert error(missing)[0] == 404


async def test_at_most_five_group_types_and_names_are_checked(world: World) -> None:
    for index in range(5):
        await register(world, f"type-{index}")
    sixth = await world.client.post(TYPES, json={"group_type": "sixth"}, headers=world.auth())
    assert error(sixth) == (400, "validation_error", "max_group_types", "group_type")
    blank = await world.client.post(TYPES, json={"group_type": "  "}, headers=world.auth())
    assert error(blank)[0] == 400
    nul = await world.client.post(TYPES, json={"group_type": "a\x00b"}, headers=world.auth())
    assert error(nul)[0] == 400


async def test_group_types_need_group_scopes_and_membership(world: World) -> None:
    read_only = await world.client.post(TYPES, json={"group_type": "x"}, headers=world.auth(world.read_key))
    assert error(read_only)[0] == 403  # the read key has feature_flag:read only
    foreign = await world.client.get(f"/api/projects/{world.other_project_id}/groups_types/", headers=world.auth())
    assert error(foreign)[0] == 404  # another organization's project is not disclosed


async def test_group_flags_evaluate_with_the_registered_mapping(world: World) -> None:
    await register(world, "company")
    await create(
        world,
        "big-companies",
        filters={
            "aggregation_group_type_index": 0,
            "groups": [
                {
                    "properties": [
                        {"key": "employees", "operator": "gt", "value": 100, "type": "group", "group_type_index": 0}
                    ],
                    "rollout_percentage": 100,
                }
            ],
        },
    )
    feed = await world.client.get(
        "/flags/definitions", params={"token": world.project_api_key}, headers=world.auth(world.secret_key)
    )
    assert feed.json()["group_type_mapping"] == {"0": "company"}

    async def value(groups: dict[str, Any], props: dict[str, Any]) -> Any:
        body = {
            "api_key": world.project_api_key,
            "distinct_id": "u1",
            "groups": groups,
            "group_properties": props,
        }
        response = await world.client.post("/flags/?v=2", json=body)
        assert response.status_code == 200, response.text
        return response.json()["flags"]["big-companies"]

    big = await value({"company": "acme"}, {"company": {"employees": 500}})
    assert big["enabled"] is True
    small = await value({"company": "tiny"}, {"company": {"employees": 5}})
    assert small["enabled"] is False
    none = await value({}, {})
    assert none["enabled"] is False
    assert none["reason"]["code"] == "no_group_type"
