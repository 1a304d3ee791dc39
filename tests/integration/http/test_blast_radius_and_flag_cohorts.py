"""``user_blast_radius/`` and ``{id}/create_static_cohort_for_flag/`` over HTTP (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

from flagcore.app.background import BackgroundJobs
from tests.integration.http.capture_support import applied
from tests.integration.http.conftest import World

PRO = {"key": "plan", "type": "person", "operator": "exact", "value": "pro"}


async def seed_persons(world: World) -> None:
    events: list[dict[str, Any]] = [
        {"event": "$set", "distinct_id": d, "properties": {"$set": {"plan": plan}}}
        for d, plan in (("u1", "pro"), ("u2", "free"), ("u3", "pro"))
    ]
    events.append(
        {
            "event": "$groupidentify",
            "distinct_id": "u1",
            "properties": {"$group_type": "company", "$group_key": "acme", "$group_set": {"tier": "gold"}},
        }
    )
    events.append(
        {
            "event": "$groupidentify",
            "distinct_id": "u2",
            "properties": {"$group_type": "company", "$group_key": "umbrella", "$group_set": {"tier": "tin"}},
        }
    )
    response = await world.client.post("/batch", json={"api_key": world.project_api_key, "batch": events})
    assert response.status_code == 200
    await applied(world)


async def radius(world: World, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = await world.client.post(world.url("user_blast_radius/"), json=body, headers=world.auth(world.read_key))
    return response.status_code, response.json()


def cohorts_url(world: World, suffix: str = "") -> str:
    return f"/api/projects/{world.project_id}/cohorts/{suffix}"


async def test_blast_radius_counts_persons_a_condition_matches(world: World) -> None:
    await seed_persons(world)
    assert await radius(world, {"condition": {"properties": [PRO], "rollout_percentage": 10}}) == (
        200,
        {"users_affected": 2, "total_users": 3},
    )
    assert await radius(world, {"condition": {"properties": []}}) == (200, {"users_affected": 3, "total_users": 3})
    assert await radius(world, {"condition": {}}) == (200, {"users_affected": 3, "total_users": 3})
    by_id = {"key": "distinct_id", "type": "person", "operator": "exact", "value": "u2"}
    assert await radius(world, {"condition": {"properties": [by_id]}}) == (200, {"users_affected": 1, "total_users": 3})


async def test_blast_radius_through_dynamic_and_static_cohorts(world: World) -> None:
    await seed_persons(world)
    filters = {"properties": {"type": "AND", "values": [{**PRO}]}}
    dynamic = await world.client.post(
        cohorts_url(world), json={"name": "pro", "filters": filters}, headers=world.auth()
    )
    on_dynamic = {"key": "id", "type": "cohort", "value": dynamic.json()["id"]}
    assert await radius(world, {"condition": {"properties": [on_dynamic]}}) == (
        200,
        {"users_affected": 2, "total_users": 3},
    )
    static = (
        await world.client.post(cohorts_url(world), json={"name": "s", "is_static": True}, headers=world.auth())
    ).json()
    persons = (
        await world.client.get(f"/api/projects/{world.project_id}/persons/?search=u2", headers=world.auth())
    ).json()
    add = await world.client.patch(
        cohorts_url(world, f"{static['id']}/add_persons_to_static_cohort/"),
        json={"person_ids": [persons["results"][0]["uuid"]]},
        headers=world.auth(),
    )
    assert add.status_code == 200, add.text
    on_static = {"key": "id", "type": "cohort", "value": static["id"]}
    assert await radius(world, {"condition": {"properties": [on_static]}}) == (
        200,
        {"users_affected": 1, "total_users": 3},
    )


async def test_blast_radius_of_groups(world: World) -> None:
    await seed_persons(world)
    gold = {"key": "tier", "type": "group", "operator": "exact", "value": "gold", "group_type_index": 0}
    body = {"condition": {"properties": [gold]}, "group_type_index": 0}
    assert await radius(world, body) == (200, {"users_affected": 1, "total_users": 2})
    key = {"key": "$group_key", "type": "group", "operator": "exact", "value": "umbrella", "group_type_index": 0}
    assert await radius(world, {"condition": {"properties": [key]}, "group_type_index": 0}) == (
        200,
        {"users_affected": 1, "total_users": 2},
    )
    status, body = await radius(world, {"condition": {"properties": [gold]}, "group_type_index": 1})
    assert (status, body["detail"]) == (400, "Invalid group type index for feature flag condition.")


async def test_blast_radius_refusals(world: World) -> None:
    status, body = await radius(world, {})
    assert (status, body["detail"]) == (400, "Missing condition for which to get blast radius")
    unknown = {"key": "id", "type": "cohort", "value": 4242}
    status, body = await radius(world, {"condition": {"properties": [unknown]}})
    assert (status, body["code"], body["attr"]) == (400, "cohort_does_not_exist", "filters")
    status, body = await radius(world, {"condition": {"properties": "nope"}})
    assert status == 400
    response = await world.client.post(world.url("user_blast_radius/"), content=b"{", headers=world.auth())
    assert response.status_code == 400


async def jobs_done(world: World) -> None:
    jobs = await world.client.app.state.dishka_container.get(BackgroundJobs)
    await jobs.idle()


async def test_static_cohort_for_flag_holds_the_persons_the_flag_is_enabled_for(world: World) -> None:
    await seed_persons(world)
    body = {"key": "pro-only", "filters": {"groups": [{"properties": [PRO], "rollout_percentage": 100}]}}
    flag_id = (await world.client.post(world.url(), json=body, headers=world.auth())).json()["id"]
    response = await world.client.post(world.url(f"{flag_id}/create_static_cohort_for_flag/"), headers=world.auth())
    assert response.status_code == 201, response.text
    cohort = response.json()["cohort"]
    assert cohort["name"].startswith("Users with feature flag pro-only enabled at ")
    assert (cohort["is_static"], cohort["is_calculating"]) == (True, True)
    await jobs_done(world)
    stored = (await world.client.get(cohorts_url(world, f"{cohort['id']}/"), headers=world.auth())).json()
    assert (stored["is_calculating"], stored["count"], stored["errors_calculating"]) == (False, 2, 0)
    assert stored["last_calculation"] is not None
    members = (await world.client.get(cohorts_url(world, f"{cohort['id']}/persons/"), headers=world.auth())).json()
    assert sorted(d for p in members["results"] for d in p["distinct_ids"]) == ["u1", "u3"]


async def test_static_cohort_for_a_disabled_flag_is_empty_and_unknown_flags_404(world: World) -> None:
    await seed_persons(world)
    body = {"key": "off", "active": False, "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}}
    flag_id = (await world.client.post(world.url(), json=body, headers=world.auth())).json()["id"]
    response = await world.client.post(world.url(f"{flag_id}/create_static_cohort_for_flag/"), headers=world.auth())
    assert response.status_code == 201
    await jobs_done(world)
    cohort_id = response.json()["cohort"]["id"]
    stored = (await world.client.get(cohorts_url(world, f"{cohort_id}/"), headers=world.auth())).json()
    assert (stored["is_calculating"], stored["count"]) == (False, 0)
    missing = await world.client.post(world.url("999999/create_static_cohort_for_flag/"), headers=world.auth())
    assert missing.status_code == 404
    read_only = await world.client.post(
        world.url(f"{flag_id}/create_static_cohort_for_flag/"), headers=world.auth(world.read_key)
    )
    assert read_only.status_code == 403
