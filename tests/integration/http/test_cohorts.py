"""The cohorts API, and cohorts targeting flags on /flags (remote) and the definitions feed (local)."""

from __future__ import annotations

from typing import Any

from tests.integration.http.capture_support import applied, enabled, flag, flags_answer
from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import error

PRO = {
    "properties": {"type": "AND", "values": [{"type": "person", "key": "plan", "operator": "exact", "value": "pro"}]}
}


def url(world: World, suffix: str = "", project: int | None = None) -> str:
    return f"/api/projects/{project if project is not None else world.project_id}/cohorts/{suffix}"


async def create(world: World, **body: Any) -> dict[str, Any]:
    response = await world.client.post(url(world), json={"name": "c", **body}, headers=world.auth())
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def cohort_condition(cohort_id: int) -> list[dict[str, Any]]:
    return [{"key": "id", "type": "cohort", "value": cohort_id}]


async def test_dynamic_cohort_targets_a_flag_remotely_and_locally(world: World) -> None:
    cohort = await create(world, name="Pro", filters=PRO)
    assert (cohort["is_static"], cohort["cohort_type"], cohort["deleted"]) == (False, "person_property", False)
    await flag(world, "for-pro", cohort_condition(cohort["id"]))
    assert enabled(await flags_answer(world, "u", person_properties={"plan": "pro"}), "for-pro")
    assert not enabled(await flags_answer(world, "u", person_properties={"plan": "free"}), "for-pro")
    feed = await world.client.get(
        "/flags/definitions",
        params={"token": world.project_api_key, "send_cohorts": ""},
        headers=world.auth(world.secret_key),
    )
    assert feed.status_code == 200
    assert feed.json()["cohorts"] == {str(cohort["id"]): PRO["properties"]}


async def test_stored_properties_feed_a_cohort_flag(world: World) -> None:
    cohort = await create(world, filters=PRO)
    await flag(world, "for-pro", cohort_condition(cohort["id"]))
    body = {"api_key": world.project_api_key, "batch": [{"event": "$set", "distinct_id": "u", "$set": {"plan": "pro"}}]}
    await world.client.post("/batch", json=body)
    await applied(world)
    assert enabled(await flags_answer(world, "u"), "for-pro")


async def test_static_cohort_membership_is_evaluated_on_the_server(world: World) -> None:
    body = {"api_key": world.project_api_key, "batch": [{"event": "e", "distinct_id": d} for d in ("in", "out")]}
    await world.client.post("/batch", json=body)
    await applied(world)
    persons = await world.client.get(f"/api/projects/{world.project_id}/persons/?search=in", headers=world.auth())
    member = persons.json()["results"][0]
    static = await create(world, name="VIPs", is_static=True)
    assert (static["is_static"], static["count"]) == (True, 0)
    added = await world.client.patch(
        url(world, f"{static['id']}/add_persons_to_static_cohort/"),
        json={"person_ids": [member["uuid"]]},
        headers=world.auth(),
    )
    assert added.json() == {"success": True}
    assert (await world.client.get(url(world, f"{static['id']}/"), headers=world.auth())).json()["count"] == 1
    await flag(world, "vip", cohort_condition(static["id"]))
    assert enabled(await flags_answer(world, "in"), "vip")
    assert not enabled(await flags_answer(world, "out"), "vip")
    listed = await world.client.get(url(world, f"{static['id']}/persons/"), headers=world.auth())
    assert [p["uuid"] for p in listed.json()["results"]] == [member["uuid"]]
    removed = await world.client.patch(
        url(world, f"{static['id']}/remove_person_from_static_cohort/"),
        json={"person_id": member["uuid"]},
        headers=world.auth(),
    )
    assert removed.status_code == 200
    assert not enabled(await flags_answer(world, "in"), "vip")


async def test_list_search_type_and_soft_delete(world: World) -> None:
    a = await create(world, name="Alpha", filters=PRO)
    b = await create(world, name="Beta", is_static=True)
    listed = (await world.client.get(url(world), headers=world.auth())).json()
    assert (listed["count"], [c["id"] for c in listed["results"]]) == (2, [b["id"], a["id"]])
    assert [
        c["id"] for c in (await world.client.get(url(world, "?type=static"), headers=world.auth())).json()["results"]
    ] == [b["id"]]
    assert [
        c["id"] for c in (await world.client.get(url(world, "?search=alp"), headers=world.auth())).json()["results"]
    ] == [a["id"]]
    deleted = await world.client.patch(url(world, f"{a['id']}/"), json={"deleted": True}, headers=world.auth())
    assert deleted.json()["deleted"] is True
    assert (await world.client.get(url(world), headers=world.auth())).json()["count"] == 1
    assert (await world.client.delete(url(world, f"{b['id']}/"), headers=world.auth())).status_code == 405


async def test_cohort_used_by_an_active_flag_cannot_be_deleted(world: World) -> None:
    cohort = await create(world, filters=PRO)
    await flag(world, "uses-it", cohort_condition(cohort["id"]))
    refused = await world.client.patch(url(world, f"{cohort['id']}/"), json={"deleted": True}, headers=world.auth())
    assert error(refused)[:3] == (400, "validation_error", "cohort_in_use")
    assert "uses-it" in refused.json()["detail"]


async def test_bad_filters_are_400(world: World) -> None:
    existing = await create(world, filters=PRO)
    cases: list[Any] = [
        {},
        {"properties": []},
        {"properties": {"type": "XOR", "values": []}},
        {"properties": {"type": "AND", "values": [{"type": "person", "key": "plan"}]}},
        {"properties": {"type": "AND", "values": [{"type": "behavioral", "key": "x", "value": "performed_event"}]}},
        {"properties": {"type": "AND", "values": [{"type": "cohort", "key": "id", "value": 999999}]}},
        {"properties": {"type": "AND", "values": ["x"]}},
    ]
    for filters in cases:
        response = await world.client.post(url(world), json={"name": "x", "filters": filters}, headers=world.auth())
        assert error(response)[0] == 400, (filters, response.text)
    loop = {"properties": {"type": "AND", "values": [{"type": "cohort", "key": "id", "value": existing["id"]}]}}
    other = await create(world, filters=loop)
    back = {"properties": {"type": "OR", "values": [{"type": "cohort", "key": "id", "value": other["id"]}]}}
    looped = await world.client.patch(url(world, f"{existing['id']}/"), json={"filters": back}, headers=world.auth())
    assert error(looped)[0] == 400
    assert "loop" in looped.json()["detail"]
    for body in (b"{nope", b'{"name": 5}', b'{"unknown": 1}', b'{"name": "' + b"x" * 401 + b'"}'):
        response = await world.client.post(url(world), content=body, headers=world.auth())
        assert error(response)[0] == 400, body


async def test_static_cohort_member_errors(world: World) -> None:
    dynamic = await create(world, filters=PRO)
    static = await create(world, is_static=True)
    add = url(world, f"{static['id']}/add_persons_to_static_cohort/")
    remove = url(world, f"{static['id']}/remove_person_from_static_cohort/")
    not_static = await world.client.patch(
        url(world, f"{dynamic['id']}/add_persons_to_static_cohort/"), json={"person_ids": ["x"]}, headers=world.auth()
    )
    assert error(not_static)[0] == 400
    for body in ({"person_ids": "x"}, {"person_ids": []}, {"person_ids": ["00000000-0000-0000-0000-000000000000"]}):
        assert error(await world.client.patch(add, json=body, headers=world.auth()))[0] == 400
    for body, status in (({}, 400), ({"person_id": 1}, 400), ({"person_id": "nope"}, 400)):
        assert error(await world.client.patch(remove, json=body, headers=world.auth()))[0] == status
    unknown = {"person_id": "00000000-0000-0000-0000-000000000000"}
    assert error(await world.client.patch(remove, json=unknown, headers=world.auth()))[0] == 404


async def test_cohorts_of_another_organization_are_not_found(world: World) -> None:
    cohort = await create(world, filters=PRO)
    foreign = await world.client.get(url(world, project=world.other_project_id), headers=world.auth())
    assert error(foreign)[0] == 404
    theirs = await world.client.get(url(world, f"{cohort['id']}/"), headers=world.auth(world.other_key))
    assert error(theirs)[0] == 404
    mine_via_theirs = await world.client.get(
        url(world, f"{cohort['id']}/", project=world.other_project_id), headers=world.auth(world.other_key)
    )
    assert error(mine_via_theirs)[0] == 404
    read_only = await world.client.post(
        url(world), json={"name": "x", "filters": PRO}, headers=world.auth(world.read_key)
    )
    assert error(read_only)[0] == 403
