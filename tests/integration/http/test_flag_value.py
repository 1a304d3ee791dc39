"""``flag_value/values?key={flag_id}`` (management spec §10) on every backend."""

from __future__ import annotations

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import MULTIVARIATE_FILTERS, create, error


def url(world: World, project: int | None = None) -> str:
    return f"/api/projects/{project or world.project_id}/flag_value/values"


async def test_boolean_flag_values_are_true_and_false(world: World) -> None:
    flag = await create(world, "plain")
    response = await world.client.get(url(world), params={"key": str(flag["id"])}, headers=world.auth())
    assert (response.status_code, response.json()) == (200, [{"name": True}, {"name": False}])


async def test_multivariate_flag_values_add_variants_in_order(world: World) -> None:
    flag = await create(world, "split", filters=MULTIVARIATE_FILTERS)
    response = await world.client.get(f"{url(world)}/", params={"key": str(flag["id"])}, headers=world.auth())
    assert response.json() == [{"name": True}, {"name": False}, {"name": "control"}, {"name": "test"}]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({}, 400, "Missing flag ID parameter"),
        ({"key": ""}, 400, "Missing flag ID parameter"),
        ({"key": "abc"}, 400, "Invalid flag ID - must be a valid integer"),
        ({"key": "-1"}, 400, "Invalid flag ID - must be a valid integer"),
        ({"key": "9" * 40}, 400, "Invalid flag ID - must be a valid integer"),
        ({"key": "999999"}, 404, "Feature flag not found"),
        ({"key": "0"}, 404, "Feature flag not found"),
    ],
)
async def test_errors(world: World, params: dict[str, str], status: int, message: str) -> None:
    response = await world.client.get(url(world), params=params, headers=world.auth())
    assert (response.status_code, response.json()) == (status, {"error": message})


async def test_another_tenants_flag_or_project_is_404(world: World) -> None:
    theirs = await world.client.post(
        world.url(project=world.other_project_id), json={"key": "theirs"}, headers=world.auth(world.other_key)
    )
    flag_id = str(theirs.json()["id"])
    response = await world.client.get(url(world), params={"key": flag_id}, headers=world.auth())
    assert (response.status_code, response.json()) == (404, {"error": "Feature flag not found"})
    response = await world.client.get(url(world, world.other_project_id), params={"key": flag_id}, headers=world.auth())
    assert error(response)[0] == 404
    unauthenticated = await world.client.get(url(world), params={"key": flag_id})
    assert error(unauthenticated)[0] == 401
