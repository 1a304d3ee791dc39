"""A flag naming a cohort the project does not have is refused with PostHog's error (persons spec §3.4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.http.conftest import World

PLAN = {"properties": {"type": "AND", "values": [{"type": "person", "key": "plan", "operator": "exact", "value": "x"}]}}


def on_cohort(value: Any) -> dict[str, Any]:
    return {"groups": [{"properties": [{"key": "id", "type": "cohort", "value": value}], "rollout_percentage": 100}]}


def refused(value: Any) -> dict[str, Any]:
    return {
        "type": "validation_error",
        "code": "cohort_does_not_exist",
        "detail": f"Cohort with id {value} does not exist",
        "attr": "filters",
    }


async def cohort(world: World, project: int | None = None, key: str | None = None) -> int:
    url = f"/api/projects/{project or world.project_id}/cohorts/"
    response = await world.client.post(url, json={"name": "c", "filters": PLAN}, headers=world.auth(key))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.mark.parametrize("value", [4242, "4242", "abc", 10**30])
async def test_create_naming_an_unknown_cohort_is_400(world: World, value: Any) -> None:
    body = {"key": "k", "filters": on_cohort(value)}
    response = await world.client.post(world.url(), json=body, headers=world.auth())
    assert (response.status_code, response.json()) == (400, refused(value))
    assert (await world.client.get(world.url(), headers=world.auth())).json()["count"] == 0


async def test_another_projects_cohort_is_unknown_here(world: World) -> None:
    theirs = await cohort(world, world.other_project_id, world.other_key)
    response = await world.client.post(
        world.url(), json={"key": "k", "filters": on_cohort(theirs)}, headers=world.auth()
    )
    assert (response.status_code, response.json()) == (400, refused(theirs))


async def test_known_and_soft_deleted_cohorts_are_accepted_and_update_is_checked(world: World) -> None:
    mine = await cohort(world)
    created = await world.client.post(world.url(), json={"key": "k", "filters": on_cohort(mine)}, headers=world.auth())
    assert created.status_code == 201, created.text
    flag_id = created.json()["id"]

    response = await world.client.patch(
        world.url(f"{flag_id}/"), json={"filters": on_cohort(9999)}, headers=world.auth()
    )
    assert (response.status_code, response.json()) == (400, refused(9999))
    stored = (await world.client.get(world.url(f"{flag_id}/"), headers=world.auth())).json()
    assert stored["filters"]["groups"][0]["properties"][0]["value"] == mine

    gone = await cohort(world)
    deleted = await world.client.patch(
        f"/api/projects/{world.project_id}/cohorts/{gone}/", json={"deleted": True}, headers=world.auth()
    )
    assert deleted.status_code == 200, deleted.text
    response = await world.client.patch(
        world.url(f"{flag_id}/"), json={"filters": on_cohort(gone)}, headers=world.auth()
    )
    assert response.status_code == 200, response.text
    # A write that does not send filters is not re-checked.
    response = await world.client.patch(world.url(f"{flag_id}/"), json={"name": "renamed"}, headers=world.auth())
    assert response.status_code == 200, response.text
