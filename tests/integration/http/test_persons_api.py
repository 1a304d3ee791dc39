"""The persons and groups API over persons and groups written by capture."""

from __future__ import annotations

from typing import Any

from tests.integration.http.capture_support import applied
from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import error


def persons_url(world: World, suffix: str = "", project: int | None = None) -> str:
    return f"/api/projects/{project if project is not None else world.project_id}/persons/{suffix}"


async def capture(world: World, *events: dict[str, Any]) -> None:
    response = await world.client.post("/batch", json={"api_key": world.project_api_key, "batch": list(events)})
    assert response.status_code == 200
    await applied(world)


async def test_list_search_retrieve_delete(world: World) -> None:
    await capture(
        world,
        {"event": "$set", "distinct_id": "ann", "$set": {"email": "ann@example.com"}},
        {"event": "$set", "distinct_id": "bob", "$set": {"email": "bob@example.com"}},
    )
    listed = (await world.client.get(persons_url(world), headers=world.auth())).json()
    assert [p["distinct_ids"] for p in listed["results"]] == [["bob"], ["ann"]]
    assert listed["results"][0]["name"] == "bob@example.com"
    found = (await world.client.get(persons_url(world, "?search=ANN@"), headers=world.auth())).json()["results"]
    assert [p["distinct_ids"] for p in found] == [["ann"]]
    exact = (await world.client.get(persons_url(world, "?distinct_id=bob"), headers=world.auth())).json()["results"]
    assert len(exact) == 1
    person = (await world.client.get(persons_url(world, f"{exact[0]['id']}/"), headers=world.auth())).json()
    assert person["properties"] == {"email": "bob@example.com"}
    page = (await world.client.get(persons_url(world, "?limit=1"), headers=world.auth())).json()
    assert page["next"] is not None
    assert len(page["results"]) == 1
    deleted = await world.client.delete(persons_url(world, f"{person['id']}/"), headers=world.auth())
    assert deleted.status_code == 204
    assert error(await world.client.get(persons_url(world, f"{person['id']}/"), headers=world.auth()))[0] == 404
    assert error(await world.client.delete(persons_url(world, f"{person['id']}/"), headers=world.auth()))[0] == 404


async def test_groups_list_by_type(world: World) -> None:
    group = {"$group_type": "company", "$group_key": "acme", "$group_set": {"name": "Acme"}}
    await capture(world, {"event": "$groupidentify", "distinct_id": "u", "properties": group})
    url = f"/api/projects/{world.project_id}/groups/"
    listed = (await world.client.get(url + "?group_type_index=0", headers=world.auth())).json()
    assert [(g["group_key"], g["group_properties"]) for g in listed["results"]] == [("acme", {"name": "Acme"})]
    assert (await world.client.get(url + "?group_type_index=1", headers=world.auth())).json()["results"] == []
    for bad in ("", "?group_type_index=x", "?group_type_index=9", "?group_type_index=0&limit=0"):
        assert error(await world.client.get(url + bad, headers=world.auth()))[0] == 400, bad


async def test_bad_pagination_is_400(world: World) -> None:
    for query in ("?limit=0", "?limit=x", "?offset=-1"):
        assert error(await world.client.get(persons_url(world, query), headers=world.auth()))[0] == 400


async def test_persons_of_another_organization_are_not_found(world: World) -> None:
    await capture(world, {"event": "$set", "distinct_id": "mine", "$set": {"a": 1}})
    mine = (await world.client.get(persons_url(world), headers=world.auth())).json()["results"][0]
    assert (
        error(await world.client.get(persons_url(world, f"{mine['id']}/"), headers=world.auth(world.other_key)))[0]
        == 404
    )
    theirs = persons_url(world, f"{mine['id']}/", project=world.other_project_id)
    assert error(await world.client.get(theirs, headers=world.auth(world.other_key)))[0] == 404
    assert error(await world.client.delete(theirs, headers=world.auth(world.other_key)))[0] == 404
    assert (
        error(await world.client.get(persons_url(world, project=world.other_project_id), headers=world.auth()))[0]
        == 404
    )
    other_groups = f"/api/projects/{world.other_project_id}/groups/?group_type_index=0"
    assert error(await world.client.get(other_groups, headers=world.auth()))[0] == 404
    read_only = await world.client.delete(persons_url(world, f"{mine['id']}/"), headers=world.auth(world.read_key))
    assert error(read_only)[0] == 403
    assert (await world.client.get(persons_url(world, f"{mine['id']}/"), headers=world.auth())).status_code == 200
