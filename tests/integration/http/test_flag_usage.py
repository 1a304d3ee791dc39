"""``$feature_flag_called`` through capture moves a flag's status (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.http.capture_support import applied
from tests.integration.http.conftest import World


def called(key: str, at: datetime, distinct_id: str = "u1") -> dict[str, Any]:
    return {
        "event": "$feature_flag_called",
        "distinct_id": distinct_id,
        "timestamp": at.isoformat(),
        "properties": {"$feature_flag": key, "$feature_flag_response": True},
    }


async def capture(world: World, *events: dict[str, Any]) -> None:
    response = await world.client.post("/batch", json={"api_key": world.project_api_key, "batch": list(events)})
    assert response.status_code == 200, response.text
    await applied(world)


async def status(world: World, flag_id: int) -> dict[str, Any]:
    response = await world.client.get(world.url(f"{flag_id}/status/"), headers=world.auth())
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_flag_not_called_for_40_days_is_inactive_until_it_is_called_again(world: World) -> None:
    body = {"key": "checkout", "filters": {"groups": [{"properties": [], "rollout_percentage": 50}]}}
    created = await world.client.post(world.url(), json=body, headers=world.auth())
    flag_id = created.json()["id"]
    assert (await status(world, flag_id))["status"] == "active"

    now = datetime.now(UTC)
    await capture(world, called("checkout", now - timedelta(days=41)), called("checkout", now - timedelta(days=40)))
    assert await status(world, flag_id) == {"status": "inactive", "reason": "Flag has not been called in 40 days"}

    await capture(world, called("checkout", now - timedelta(minutes=1)))
    assert (await status(world, flag_id))["status"] == "active"


async def test_calls_of_another_project_or_flag_do_not_count(world: World) -> None:
    body = {"key": "mine", "filters": {"groups": [{"properties": [], "rollout_percentage": 50}]}}
    flag_id = (await world.client.post(world.url(), json=body, headers=world.auth())).json()["id"]
    old = datetime.now(UTC) - timedelta(days=40)
    await capture(world, called("mine", old))
    recent = called("mine", datetime.now(UTC))
    other = await world.client.post("/batch", json={"api_key": world.other_project_api_key, "batch": [recent]})
    assert other.status_code == 200
    await capture(world, called("someone-else", datetime.now(UTC)))
    assert (await status(world, flag_id))["status"] == "inactive"
