"""Flag size limits over HTTP (issue 17): 400 with PostHog's body and ``attr`` naming the field, nothing stored.

Before the limits, a 9 MB name, 20,000 condition sets and 100,000 tags were stored (201) and bloated the feed.
"""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.flags import limits
from flagcore.domain.flags.limits import (
    MAX_CONDITION_GROUPS,
    MAX_FILTERS_BYTES,
    MAX_GROUP_PROPERTIES,
    MAX_NAME_LENGTH,
    MAX_PAYLOAD_BYTES,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_VARIANTS,
)
from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import BOOLEAN_FILTERS, create, error

PROP: dict[str, Any] = {"key": "email", "type": "person", "value": "a@example.com", "operator": "exact"}


def variants(count: int) -> dict[str, Any]:
    items = [{"key": f"v{i}", "rollout_percentage": 0} for i in range(count)]
    items[0]["rollout_percentage"] = 100
    return {"variants": items}


def big_payload(size: int) -> str:
    return '"' + "x" * (size - 2) + '"'


OVER_LIMIT: list[Any] = [
    pytest.param({"name": "n" * (MAX_NAME_LENGTH + 1)}, "name", id="name"),
    pytest.param({"tags": [f"t{i}" for i in range(MAX_TAGS + 1)]}, "tags", id="tag-count"),
    pytest.param({"tags": ["t" * (MAX_TAG_LENGTH + 1)]}, "tags", id="tag-length"),
    pytest.param({"tags": ["a"], "evaluation_tags": ["a"] * (MAX_TAGS + 1)}, "evaluation_tags", id="evaluation-tags"),
    pytest.param(
        {"filters": {"groups": [{"properties": []}] * (MAX_CONDITION_GROUPS + 1)}}, "filters", id="condition-sets"
    ),
    pytest.param(
        {"filters": {"groups": [{"properties": [PROP] * (MAX_GROUP_PROPERTIES + 1)}]}}, "filters", id="properties"
    ),
    pytest.param(
        {"filters": {**BOOLEAN_FILTERS, "multivariate": variants(MAX_VARIANTS + 1)}}, "filters", id="variants"
    ),
    pytest.param(
        {"filters": {**BOOLEAN_FILTERS, "payloads": {"true": big_payload(MAX_PAYLOAD_BYTES + 1)}}},
        "filters",
        id="payload",
    ),
    pytest.param(
        {
            "filters": {
                **BOOLEAN_FILTERS,
                "multivariate": variants(3),
                "payloads": {f"v{i}": big_payload(MAX_FILTERS_BYTES // 3 + 10) for i in range(3)},
            }
        },
        "filters",
        id="filters-size",
    ),
]


@pytest.mark.parametrize(("fields", "attr"), OVER_LIMIT)
async def test_create_over_a_limit_is_400_and_stores_nothing(world: World, fields: dict[str, Any], attr: str) -> None:
    """Guards every per-flag limit on create."""
    body = {"key": "big", "filters": BOOLEAN_FILTERS, **fields}
    response = await world.client.post(world.url(), json=body, headers=world.auth())
    status, error_type, _, got_attr = error(response)
    assert (status, error_type, got_attr) == (400, "validation_error", attr)
    assert (await world.client.get(world.url(), headers=world.auth())).json()["count"] == 0


@pytest.mark.parametrize(("fields", "attr"), OVER_LIMIT)
async def test_update_over_a_limit_is_400_and_changes_nothing(world: World, fields: dict[str, Any], attr: str) -> None:
    """Guards every per-flag limit on PATCH: a flag cannot grow past a limit after it was created."""
    flag = await create(world, "small", tags=["a"])
    response = await world.client.patch(world.url(f"{flag['id']}/"), json=fields, headers=world.auth())
    assert error(response)[::3] == (400, attr)
    stored = (await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())).json()
    assert stored["version"] == flag["version"]


async def test_values_at_the_limits_are_accepted(world: World) -> None:
    """The limits are maxima: a flag at every limit at once is stored."""
    flag = await create(
        world,
        "at-limits",
        name="n" * MAX_NAME_LENGTH,
        tags=[f"{i:03}" + "t" * (MAX_TAG_LENGTH - 3) for i in range(MAX_TAGS)],
        filters={
            "groups": [{"properties": [PROP] * (MAX_GROUP_PROPERTIES // 20)}] * MAX_CONDITION_GROUPS,
            "multivariate": variants(MAX_VARIANTS),
            "payloads": {"v0": big_payload(MAX_PAYLOAD_BYTES)},
        },
    )
    assert len(flag["tags"]) == MAX_TAGS
    assert len(flag["filters"]["groups"]) == MAX_CONDITION_GROUPS


async def test_a_project_holds_at_most_the_flag_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards the per-project flag count: the create past the limit is refused; soft-deleted flags do not count.

    The limit is lowered to 3 so that the test does not create 2,000 flags per storage.
    """
    monkeypatch.setattr(limits, "MAX_FLAGS_PER_PROJECT", 3)
    ids = [(await create(world, f"f{i}"))["id"] for i in range(3)]
    refused = await world.client.post(world.url(), json={"key": "f3", "filters": BOOLEAN_FILTERS}, headers=world.auth())
    assert error(refused) == (400, "validation_error", "invalid_input", None)
    assert refused.json()["detail"] == "Maximum of 3 feature flags allowed per project. Please delete unused flags."
    other = await world.client.post(
        world.url(project=world.other_project_id),
        json={"key": "f3", "filters": BOOLEAN_FILTERS},
        headers=world.auth(world.other_key),
    )
    assert other.status_code == 201  # the limit is per project
    await world.client.patch(world.url(f"{ids[0]}/"), json={"deleted": True}, headers=world.auth())
    await create(world, "f3")
