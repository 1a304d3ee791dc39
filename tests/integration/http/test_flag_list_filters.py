"""Issue 9 list filters over HTTP: active=STALE, tags (any of), has_evaluation_tags, excluded_properties,
type=experiment, order; bad values are 400s with PostHog's body, never 500s."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error

FULL: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 100}]}


async def keys(world: World, **params: str) -> list[str]:
    response = await world.client.get(world.url(), params=params, headers=world.auth())
    assert response.status_code == 200, response.text
    return sorted(flag["key"] for flag in response.json()["results"])


async def test_tags_are_normalised_and_served_on_every_flag(world: World) -> None:
    flag = await create(world, "tagged", tags=[" Web ", "web", "API"], evaluation_tags=["WEB"])
    assert (flag["tags"], flag["evaluation_tags"]) == (["web", "api"], ["web"])
    listed = (await world.client.get(world.url(), headers=world.auth())).json()["results"][0]
    assert (listed["tags"], listed["evaluation_tags"]) == (["web", "api"], ["web"])


async def test_tags_filter_matches_any_of_the_tags(world: World) -> None:
    await create(world, "a", tags=["a"])
    await create(world, "b", tags=["b", "x"])
    await create(world, "c")
    assert await keys(world, tags=json.dumps(["A", "b"])) == ["a", "b"]
    assert await keys(world, tags=json.dumps(["x"])) == ["b"]
    assert await keys(world, tags="") == ["a", "b", "c"]


async def test_has_evaluation_tags(world: World) -> None:
    await create(world, "evaluated", tags=["web"], evaluation_tags=["web"])
    await create(world, "plain", tags=["web"])
    assert await keys(world, has_evaluation_tags="true") == ["evaluated"]
    assert await keys(world, has_evaluation_tags="no") == ["plain"]


async def test_excluded_properties_and_experiment_type(world: World) -> None:
    for key in ("keep", "drop"):
        await create(world, key)
    assert await keys(world, excluded_properties=json.dumps(["drop"])) == ["keep"]
    assert await keys(world, type="experiment") == []


async def test_stale_needs_thirty_days_so_new_flags_are_not_stale(world: World) -> None:
    await create(world, "full", filters=FULL)
    assert await keys(world, active="STALE") == []
    assert await keys(world, active="stale") == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("tags", "not json"),
        ("tags", '{"a": 1}'),
        ("tags", "[1, 2]"),
        ("excluded_properties", "[[[[]]]]"),
        ("order", "password"),
        ("order", "-filters"),
        ("active", "maybe"),
        ("type", "cohort"),
    ],
)
async def test_bad_filter_values_are_400(world: World, param: str, value: str) -> None:
    response = await world.client.get(world.url(), params={param: value}, headers=world.auth())
    status, kind, _code, attr = error(response)
    assert (status, kind, attr) == (400, "validation_error", param)
