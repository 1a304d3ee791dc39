"""``/flags/definitions`` without ``send_cohorts``: no cohorts map, a single simple cohort inlined (PostHog)."""

from __future__ import annotations

from typing import Any

from tests.integration.http.conftest import World

PRO = {"type": "person", "key": "plan", "operator": "exact", "value": "pro"}
TEAM = {"type": "person", "key": "plan", "operator": "exact", "value": "team"}


async def feed(world: World, **params: str) -> dict[str, Any]:
    response = await world.client.get(
        "/flags/definitions", params={"token": world.project_api_key, **params}, headers=world.auth(world.secret_key)
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def cohort(world: World, group: dict[str, Any]) -> int:
    response = await world.client.post(
        f"/api/projects/{world.project_id}/cohorts/",
        json={"name": "c", "filters": {"properties": group}},
        headers=world.auth(),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def flag(world: World, key: str, groups: list[dict[str, Any]]) -> None:
    response = await world.client.post(
        world.url(), json={"key": key, "filters": {"groups": groups}}, headers=world.auth()
    )
    assert response.status_code == 201, response.text


def on(cohort_id: int, rollout: int = 100) -> dict[str, Any]:
    return {"properties": [{"key": "id", "type": "cohort", "value": cohort_id}], "rollout_percentage": rollout}


async def test_a_single_or_cohort_is_inlined_only_without_send_cohorts(world: World) -> None:
    either = await cohort(world, {"type": "OR", "values": [PRO, TEAM]})
    await flag(world, "inlined", [on(either, 40)])
    nested = await cohort(world, {"type": "AND", "values": [PRO, {"type": "cohort", "key": "id", "value": either}]})
    await flag(world, "kept", [on(nested)])

    plain = await feed(world)
    assert plain["cohorts"] == {}
    groups = {f["key"]: f["filters"]["groups"] for f in plain["flags"]}
    assert groups["inlined"] == [
        {"properties": [PRO], "rollout_percentage": 40},
        {"properties": [TEAM], "rollout_percentage": 40},
    ]
    assert groups["kept"][0]["properties"][0]["type"] == "cohort"  # two cohorts: left as it is

    full = await feed(world, send_cohorts="")
    assert set(full["cohorts"]) == {str(either), str(nested)}
    by_key = {f["key"]: f["filters"]["groups"] for f in full["flags"]}
    assert by_key["inlined"][0]["properties"][0] == {"key": "id", "type": "cohort", "value": either}
