"""Static cohorts from a CSV upload (multipart ``csv``), PostHog's layouts and errors, and the size bound."""

from __future__ import annotations

from typing import Any

from flagcore.domain.cohorts.csv_import import EMPTY_FILE, ENCODING_ERROR, MAX_CSV_BYTES
from tests.integration.http.capture_support import applied
from tests.integration.http.conftest import World


def url(world: World, suffix: str = "") -> str:
    return f"/api/projects/{world.project_id}/cohorts/{suffix}"


async def seed(world: World) -> None:
    events = [
        {"event": "$set", "distinct_id": d, "properties": {"$set": {"email": f"{d}@x.io"}}} for d in ("u1", "u2", "u3")
    ]
    response = await world.client.post("/batch", json={"api_key": world.project_api_key, "batch": events})
    assert response.status_code == 200
    await applied(world)


async def upload(world: World, data: bytes, **form: str) -> Any:
    return await world.client.post(
        url(world),
        data={"name": "uploaded", "is_static": "true", **form},
        files={"csv": ("ids.csv", data, "text/csv")},
        headers=world.auth(),
    )


async def members(world: World, cohort_id: int) -> list[str]:
    listed = (await world.client.get(url(world, f"{cohort_id}/persons/"), headers=world.auth())).json()
    return sorted(d for p in listed["results"] for d in p["distinct_ids"])


async def test_distinct_ids_emails_and_person_ids_fill_a_static_cohort(world: World) -> None:
    await seed(world)
    response = await upload(world, b"u1\nu3\nnobody\n")
    assert response.status_code == 201, response.text
    cohort = response.json()
    assert (cohort["is_static"], cohort["is_calculating"], cohort["count"], cohort["name"]) == (
        True,
        False,
        2,
        "uploaded",
    )
    assert await members(world, cohort["id"]) == ["u1", "u3"]

    by_email = await upload(world, b"name,email\nTwo,u2@x.io\nNo,none@x.io\n")
    assert (by_email.status_code, by_email.json()["count"]) == (201, 1)
    assert await members(world, by_email.json()["id"]) == ["u2"]

    persons = (await world.client.get(f"/api/projects/{world.project_id}/persons/", headers=world.auth())).json()
    uuid_of = {p["distinct_ids"][0]: p["uuid"] for p in persons["results"]}
    again = await world.client.patch(
        url(world, f"{cohort['id']}/"),
        files={"csv": ("more.csv", f"person_id\n{uuid_of['u2']}\n".encode(), "text/csv")},
        headers=world.auth(),
    )
    assert (again.status_code, again.json()["count"]) == (200, 3), again.text
    assert await members(world, cohort["id"]) == ["u1", "u2", "u3"]


async def test_bad_csvs_are_400_on_csv_and_create_nothing(world: World) -> None:
    for data, detail in ((b"", EMPTY_FILE), (b"\xff\xfe\x00", ENCODING_ERROR)):
        response = await upload(world, data)
        assert response.status_code == 400, response.text
        assert response.json() == {"type": "validation_error", "code": "invalid_input", "detail": detail, "attr": "csv"}
    response = await upload(world, b"name,age\nA,3\n")
    assert (response.status_code, response.json()["attr"]) == (400, "csv")
    response = await upload(world, b"u1\n", is_static="false")
    assert (response.status_code, response.json()["attr"]) == (400, "csv")
    response = await upload(world, b"u1\n", is_static="maybe")
    assert (response.status_code, response.json()["attr"]) == (400, "is_static")
    listed = (await world.client.get(url(world), headers=world.auth())).json()
    assert listed["count"] == 0


async def test_an_oversize_upload_is_refused_before_it_is_read(world: World) -> None:
    response = await upload(world, b"u" * (MAX_CSV_BYTES + 1))
    assert response.status_code == 400
    assert response.json()["attr"] == "csv"
    response = await upload(world, b"u" * (MAX_CSV_BYTES + 200 * 1024))
    assert response.status_code == 413


async def test_json_bodies_still_work(world: World) -> None:
    response = await world.client.post(url(world), json={"name": "plain", "is_static": True}, headers=world.auth())
    assert (response.status_code, response.json()["count"]) == (201, 0)


async def test_a_csv_patched_onto_a_dynamic_cohort_writes_nothing(world: World) -> None:
    """The 400 comes before any write: the fields sent with the refused CSV are not applied either."""
    await seed(world)
    created = await world.client.post(
        url(world),
        json={"name": "dynamic", "filters": {"properties": {"type": "AND", "values": []}}},
        headers=world.auth(),
    )
    assert created.status_code == 201, created.text
    cohort_id = created.json()["id"]
    refused = await world.client.patch(
        url(world, f"{cohort_id}/"),
        data={"name": "renamed"},
        files={"csv": ("ids.csv", b"u1\n", "text/csv")},
        headers=world.auth(),
    )
    assert (refused.status_code, refused.json()["attr"]) == (400, "csv")
    after = (await world.client.get(url(world, f"{cohort_id}/"), headers=world.auth())).json()
    assert (after["name"], after["is_static"], after["count"]) == ("dynamic", False, created.json()["count"])
    # Made static in the same request, the upload is taken: the fields and the members land together.
    made_static = await world.client.patch(
        url(world, f"{cohort_id}/"),
        data={"is_static": "true"},
        files={"csv": ("ids.csv", b"u1\nu2\n", "text/csv")},
        headers=world.auth(),
    )
    assert (made_static.status_code, made_static.json()["count"]) == (200, 2), made_static.text


async def test_no_csv_lands_in_a_deleted_cohort(world: World) -> None:
    await seed(world)
    created = await upload(world, b"u1\n")
    cohort_id = created.json()["id"]
    deleting = await world.client.patch(
        url(world, f"{cohort_id}/"), data={"deleted": "true"}, files={"csv": ("ids.csv", b"u2\n", "text/csv")},
        headers=world.auth(),
    )  # fmt: skip
    assert (deleting.status_code, deleting.json()["attr"]) == (400, "csv"), deleting.text
    assert (await world.client.get(url(world, f"{cohort_id}/"), headers=world.auth())).json()["deleted"] is False
    deleted = await world.client.patch(url(world, f"{cohort_id}/"), json={"deleted": True}, headers=world.auth())
    assert deleted.status_code == 200, deleted.text
    late = await world.client.patch(
        url(world, f"{cohort_id}/"), files={"csv": ("ids.csv", b"u2\n", "text/csv")}, headers=world.auth()
    )
    assert late.status_code == 404
