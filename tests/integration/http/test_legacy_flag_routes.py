"""The project flag route set mounted again as PostHog's legacy ``/api/feature_flag/``: the project is the key
owner's current project, or the one ``?token=`` names; another tenant's token is refused."""

from __future__ import annotations

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error

LEGACY = "/api/feature_flag"


async def test_legacy_list_create_patch_and_actions_use_the_current_project(world: World) -> None:
    mine = await create(world, "mine")
    listed = await world.client.get(f"{LEGACY}/", headers=world.auth())
    assert listed.status_code == 200
    assert [f["key"] for f in listed.json()["results"]] == ["mine"]
    created = await world.client.post(f"{LEGACY}/", json={"key": "via-legacy"}, headers=world.auth())
    assert created.status_code == 201
    modern = await world.client.get(world.url(str(created.json()["id"])), headers=world.auth())
    assert modern.json()["key"] == "via-legacy"  # the same project as the path-scoped routes
    patched = await world.client.patch(f"{LEGACY}/{mine['id']}/", json={"name": "N"}, headers=world.auth())
    assert patched.json()["name"] == "N"
    status = await world.client.get(f"{LEGACY}/{mine['id']}/status/", headers=world.auth())
    assert status.json()["status"] == "active"
    activity = await world.client.get(f"{LEGACY}/{mine['id']}/activity/", headers=world.auth())
    assert activity.json()["total_count"] == 2


async def test_legacy_token_names_the_project(world: World) -> None:
    await create(world, "mine")
    listed = await world.client.get(f"{LEGACY}/", params={"token": world.project_api_key}, headers=world.auth())
    assert [f["key"] for f in listed.json()["results"]] == ["mine"]
    unknown = await world.client.get(f"{LEGACY}/", params={"token": "phc_nope"}, headers=world.auth())
    assert error(unknown)[0] == 401


async def test_legacy_routes_do_not_reach_another_tenant(world: World) -> None:
    theirs = await world.client.post(
        world.url(project=world.other_project_id), json={"key": "theirs"}, headers=world.auth(world.other_key)
    )
    their_id = theirs.json()["id"]
    own = await world.client.get(f"{LEGACY}/{their_id}/", headers=world.auth())
    assert error(own)[0] == 404  # not in my current project
    mine_listed = await world.client.get(f"{LEGACY}/", headers=world.auth())
    assert "theirs" not in [f["key"] for f in mine_listed.json()["results"]]
    # The other organization's public token does not open its project to me.
    token = {"token": world.other_project_api_key}
    for path in ("", f"{their_id}/", f"{their_id}/status/", "activity/", "local_evaluation", "matching_ids/"):
        response = await world.client.get(f"{LEGACY}/{path}", params=token, headers=world.auth())
        assert response.status_code == 404, path
    write = await world.client.patch(f"{LEGACY}/{their_id}/", params=token, json={"name": "x"}, headers=world.auth())
    assert error(write)[0] == 404


async def test_legacy_local_evaluation_takes_the_secret_key_and_token(world: World) -> None:
    await create(world, "served")
    response = await world.client.get(
        f"{LEGACY}/local_evaluation", params={"token": world.project_api_key}, headers=world.auth(world.secret_key)
    )
    assert response.status_code == 200
    assert [f["key"] for f in response.json()["flags"]] == ["served"]
    refused = await world.client.get(f"{LEGACY}/", headers=world.auth(world.secret_key))
    assert error(refused)[0] == 403  # the secret key reaches only the feed
