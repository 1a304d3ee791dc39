"""Experience continuity end to end: a person keeps their anonymous variant after being identified."""

from __future__ import annotations

from typing import Any

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create

SPLIT: dict[str, Any] = {
    "groups": [{"properties": [], "rollout_percentage": 100}],
    "multivariate": {
        "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]
    },
}


async def variants(world: World, distinct_id: str, **fields: Any) -> dict[str, Any]:
    body = {"api_key": world.project_api_key, "distinct_id": distinct_id, **fields}
    response = await world.client.post("/flags?v=4", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["errorsWhileComputingFlags"] is False
    return {key: record["value"] for key, record in response.json()["flags"].items()}


async def different_pair(world: World, key: str) -> tuple[str, str]:
    # Requests without $anon_distinct_id store nothing, so probing is free of side effects.
    for index in range(50):
        anon, user = f"anon-{index}", f"user-{index}"
        if (await variants(world, anon))[key] != (await variants(world, user))[key]:
            return anon, user
    raise AssertionError


async def test_identified_person_keeps_the_anonymous_variant(world: World) -> None:
    await create(world, "sticky", filters=SPLIT, ensure_experience_continuity=True)
    await create(world, "loose", filters=SPLIT)
    anon, user = await different_pair(world, "sticky")
    anonymous = await variants(world, anon)
    on_identify = await variants(world, user, **{"$anon_distinct_id": anon})
    afterwards = await variants(world, user)
    assert on_identify["sticky"] == anonymous["sticky"]
    assert afterwards["sticky"] == anonymous["sticky"]
    # A later identify with another anonymous id does not move the person again.
    assert (await variants(world, user, **{"$anon_distinct_id": "someone-else"}))["sticky"] == anonymous["sticky"]


async def test_flags_that_gain_continuity_get_their_hash_key_on_the_next_identify(world: World) -> None:
    await create(world, "first", filters=SPLIT, ensure_experience_continuity=True)
    second = await create(world, "second", filters=SPLIT)
    anon, user = await different_pair(world, "second")
    await variants(world, user, **{"$anon_distinct_id": anon})
    assert (await variants(world, user))["second"] != (await variants(world, anon))["second"]  # no continuity yet
    patched = await world.client.patch(
        world.url(f"{second['id']}/"), json={"ensure_experience_continuity": True}, headers=world.auth()
    )
    assert patched.status_code == 200, patched.text
    # Only an identify writes hash keys: until then the identified id is hashed.
    assert (await variants(world, user))["second"] != (await variants(world, anon))["second"]
    await variants(world, user, **{"$anon_distinct_id": anon})
    assert (await variants(world, user))["second"] == (await variants(world, anon))["second"]
