"""``/api/projects/{id}/scheduled_changes/``: CRUD, filters, every validation message, and the worker applying a
due change through the flag write path (activity log included), on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flagcore.domain.scheduled_changes import validation as v
from flagcore.domain.scheduled_changes.cron import FIELD_COUNT_MESSAGE
from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import error

LATER = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
STATUS_OFF = {"operation": "update_status", "value": False}
VARIANTS = {
    "operation": "update_variants",
    "value": {"variants": [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]},
}
BOOLEAN = {"groups": [{"properties": [], "rollout_percentage": 100}]}


def url(world: World, suffix: str = "", project: int | None = None) -> str:
    return f"/api/projects/{project if project is not None else world.project_id}/scheduled_changes/{suffix}"


async def make_flag(world: World, key: str = "scheduled") -> int:
    made = await world.client.post(world.url(), json={"key": key, "filters": BOOLEAN}, headers=world.auth())
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def body(flag_id: int | str, **fields: Any) -> dict[str, Any]:
    return {
        "record_id": str(flag_id),
        "model_name": "FeatureFlag",
        "payload": STATUS_OFF,
        "scheduled_at": LATER.isoformat(),
    } | fields


async def create(world: World, flag_id: int, **fields: Any) -> dict[str, Any]:
    response = await world.client.post(url(world), json=body(flag_id, **fields), headers=world.auth())
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_create_retrieve_list_update_delete(world: World) -> None:
    flag_id = await make_flag(world)
    made = await create(world, flag_id, record_id=flag_id)
    assert made["record_id"] == str(flag_id)
    assert (made["team_id"], made["model_name"], made["payload"]) == (world.project_id, "FeatureFlag", STATUS_OFF)
    assert (made["executed_at"], made["failure_reason"], made["is_recurring"], made["timezone"]) == (
        None,
        None,
        False,
        "UTC",
    )
    assert made["created_by"]["email"] == "admin@flagcore.local"
    assert datetime.fromisoformat(made["scheduled_at"]) == LATER
    got = await world.client.get(url(world, f"{made['id']}/"), headers=world.auth(world.read_key))
    assert got.status_code == 200
    assert got.json() == made
    listing = (await world.client.get(url(world), headers=world.auth())).json()
    assert (listing["count"], [c["id"] for c in listing["results"]]) == (1, [made["id"]])
    assert (listing["next"], listing["previous"]) == (None, None)
    patched = await world.client.patch(
        url(world, f"{made['id']}/"),
        json={"payload": VARIANTS, "is_recurring": True, "recurrence_interval": "weekly"},
        headers=world.auth(),
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["payload"], patched.json()["recurrence_interval"]) == (VARIANTS, "weekly")
    put = await world.client.put(url(world, f"{made['id']}/"), json=body(flag_id), headers=world.auth())
    assert put.status_code == 200, put.text
    assert put.json()["payload"] == STATUS_OFF
    deleted = await world.client.delete(url(world, f"{made['id']}/"), headers=world.auth())
    assert deleted.status_code == 204
    missing = await world.client.get(url(world, f"{made['id']}/"), headers=world.auth())
    assert error(missing)[:3] == (404, "invalid_request", "not_found")
    assert (await world.client.delete(url(world, f"{made['id']}/"), headers=world.auth())).status_code == 404


async def test_list_filters_by_record_and_model_and_pages(world: World) -> None:
    first, second = await make_flag(world, "one"), await make_flag(world, "two")
    a = await create(world, first)
    b = await create(world, second)
    c = await create(world, first)
    listing = (await world.client.get(url(world), params={"record_id": str(first)}, headers=world.auth())).json()
    assert [r["id"] for r in listing["results"]] == [c["id"], a["id"]]
    by_model = await world.client.get(url(world), params={"model_name": "FeatureFlag"}, headers=world.auth())
    assert by_model.json()["count"] == 3
    assert (await world.client.get(url(world), params={"model_name": "Survey"}, headers=world.auth())).json()[
        "count"
    ] == 0
    page = (await world.client.get(url(world), params={"limit": "1", "offset": "1"}, headers=world.auth())).json()
    assert [r["id"] for r in page["results"]] == [b["id"]]
    assert page["next"] is not None
    assert page["previous"] is not None
    bad = await world.client.get(url(world), params={"limit": "0"}, headers=world.auth())
    assert error(bad)[0::3] == (400, "limit")


@pytest.mark.parametrize(
    ("fields", "attr", "detail"),
    [
        ({"payload": {"operation": "update_status"}}, "payload", "Invalid payload"),
        ({"payload": {"operation": "explode", "value": 1}}, "payload", "Unrecognized operation: explode"),
        (
            {
                "payload": {
                    "operation": "update_variants",
                    "value": {"variants": [{"key": "a", "rollout_percentage": 60}]},
                }
            },
            "payload",
            "Invalid variant rollout percentages: sum is 60, must be 100",
        ),
        (
            {"payload": {**VARIANTS, "value": {**VARIANTS["value"], "payloads": {"zz": 1}}}},  # type: ignore[dict-item]
            "payload",
            "Payload keys {'zz'} don't match variant keys {'a', 'b'}",
        ),
        (
            {"is_recurring": True, "cron_expression": "0 9 * * *", "recurrence_interval": "daily"},
            "cron_expression",
            v.BOTH_RECURRENCES,
        ),
        ({"is_recurring": True, "cron_expression": "0 9 * *"}, "cron_expression", FIELD_COUNT_MESSAGE),
        (
            {"is_recurring": True, "cron_expression": "99 9 * * *"},
            "cron_expression",
            "Invalid cron expression. '99' is out of range for the minute (0-59).",
        ),
        ({"is_recurring": True}, "recurrence_interval", v.RECURRENCE_NEEDED),
        (
            {
                "is_recurring": True,
                "recurrence_interval": "daily",
                "payload": {"operation": "add_release_condition", "value": {"groups": []}},
            },
            "is_recurring",
            v.RECURRING_CONDITION,
        ),
        ({"recurrence_interval": "daily"}, "is_recurring", v.RECURRENCE_WITHOUT_RECURRING),
        ({"end_date": LATER.isoformat()}, "end_date", v.END_BEFORE_START),
        (
            {"recurrence_interval": "hourly", "is_recurring": True},
            "recurrence_interval",
            '"hourly" is not a valid choice.',
        ),
        ({"model_name": "Survey"}, "model_name", '"Survey" is not a valid choice.'),
        ({"record_id": "999999"}, "record_id", "Feature flag not found"),
        ({"record_id": "abc"}, "record_id", "Feature flag not found"),
        ({"scheduled_at": "soon"}, "scheduled_at", None),
    ],
)
async def test_create_validation_messages_are_field_errors(
    world: World, fields: dict[str, Any], attr: str, detail: str | None
) -> None:
    flag_id = await make_flag(world)
    response = await world.client.post(url(world), json=body(flag_id, **fields), headers=world.auth())
    status, kind, _, at = error(response)
    assert (status, kind, at) == (400, "validation_error", attr)
    if detail is not None:
        assert response.json()["detail"] == detail


@pytest.mark.parametrize("missing", ["record_id", "model_name", "payload", "scheduled_at"])
async def test_create_and_put_require_the_target_payload_and_time(world: World, missing: str) -> None:
    flag_id = await make_flag(world)
    sent = body(flag_id)
    del sent[missing]
    response = await world.client.post(url(world), json=sent, headers=world.auth())
    assert error(response)[::3] == (400, missing)
    assert response.json()["detail"] == "This field is required."
    made = await create(world, flag_id)
    put = await world.client.put(url(world, f"{made['id']}/"), json=sent, headers=world.auth())
    assert error(put)[::3] == (400, missing)


async def test_update_rules(world: World) -> None:
    flag_id, other = await make_flag(world), await make_flag(world, "other")
    made = await create(world, flag_id)
    target = url(world, f"{made['id']}/")
    for fields, attr, detail in (
        ({"record_id": str(other)}, "record_id", v.RECORD_FIXED),
        ({"model_name": "Survey"}, "model_name", v.MODEL_FIXED),
        ({"end_date": (LATER - timedelta(hours=1)).isoformat()}, "end_date", v.END_BEFORE_START),
    ):
        response = await world.client.patch(target, json=fields, headers=world.auth())
        assert error(response)[::3] == (400, attr), response.text
        assert response.json()["detail"] == detail
    same = await world.client.patch(target, json={"record_id": int(flag_id)}, headers=world.auth())
    assert same.status_code == 200, same.text


async def test_a_naive_time_is_utc(world: World) -> None:
    made = await create(world, await make_flag(world), scheduled_at=LATER.replace(tzinfo=None).isoformat())
    assert datetime.fromisoformat(made["scheduled_at"]) == LATER


async def test_another_projects_changes_are_not_found(world: World) -> None:
    made = await create(world, await make_flag(world))
    sibling = url(world, f"{made['id']}/", project=world.sibling_project_id)
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        response = await world.client.request(method, sibling, json=body(1), headers=world.auth())
        assert error(response)[0] == 404, (method, response.text)
    listing = await world.client.get(url(world, project=world.sibling_project_id), headers=world.auth())
    assert listing.json()["count"] == 0


async def test_writes_need_the_flag_write_scope(world: World) -> None:
    flag_id = await make_flag(world)
    made = await create(world, flag_id)
    read = world.auth(world.read_key)
    assert (await world.client.get(url(world), headers=read)).status_code == 200
    for method, target in (
        ("POST", url(world)),
        ("PATCH", url(world, f"{made['id']}/")),
        ("DELETE", url(world, f"{made['id']}/")),
    ):
        response = await world.client.request(method, target, json=body(flag_id), headers=read)
        assert error(response)[0] == 403


async def wait_for(world: World, change_id: int, done: Any) -> dict[str, Any]:
    for _ in range(400):
        got = (await world.client.get(url(world, f"{change_id}/"), headers=world.auth())).json()
        if done(got):
            return got  # type: ignore[no-any-return]
        await asyncio.sleep(0.025)
    pytest.fail(f"the worker did not get to change {change_id}: {got}")


@pytest.mark.world_settings(scheduled_changes_interval_s=0.05)
async def test_the_worker_applies_a_due_change_once_through_the_flag_write_path(world: World) -> None:
    flag_id = await make_flag(world)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    made = await create(world, flag_id, scheduled_at=past)
    done = await wait_for(world, made["id"], lambda c: c["executed_at"] is not None)
    assert done["failure_reason"] is None
    flag = (await world.client.get(world.url(f"{flag_id}/"), headers=world.auth())).json()
    assert flag["active"] is False
    activity = (await world.client.get(world.url(f"{flag_id}/activity/"), headers=world.auth())).json()
    assert [e["activity"] for e in activity["results"]] == ["updated", "created"]
    assert activity["results"][0]["user"]["email"] == "admin@flagcore.local"
    executed = await world.client.patch(
        url(world, f"{made['id']}/"), json={"payload": STATUS_OFF}, headers=world.auth()
    )
    status, _, _, attr = error(executed)
    assert (status, attr, executed.json()["detail"]) == (400, None, v.IMMUTABLE)


@pytest.mark.world_settings(scheduled_changes_interval_s=0.05)
async def test_the_worker_records_why_a_change_failed(world: World) -> None:
    flag_id = await make_flag(world)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    made = await create(
        world,
        flag_id,
        scheduled_at=past,
        payload={"operation": "add_release_condition", "value": {"groups": [{"rollout_percentage": 150}]}},
    )
    failed = await wait_for(world, made["id"], lambda c: c["failure_reason"] is not None)
    assert failed["executed_at"] is not None
    assert failed["failure_reason"].endswith("(permanent error)")
    assert "rollout_percentage" in failed["failure_reason"]
    flag = (await world.client.get(world.url(f"{flag_id}/"), headers=world.auth())).json()
    assert len(flag["filters"]["groups"]) == 1


@pytest.mark.world_settings(scheduled_changes_interval_s=0.05)
async def test_a_gated_scheduled_change_asks_for_approval_instead_of_applying(world: World) -> None:
    """The approval gate applies when a change executes: the flag stays as it was, a change request stands for the
    update; a second change for the same action waits (not failed) while that request is open."""
    flag_id = await make_flag(world)
    policy = await world.client.post(
        f"/api/projects/{world.project_id}/approval_policies/",
        json={"action_key": "feature_flag.disable", "approver_config": {"quorum": 1, "users": []}},
        headers=world.auth(),
    )
    assert policy.status_code == 201, policy.text
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    first = await create(world, flag_id, scheduled_at=past)
    done = await wait_for(world, first["id"], lambda c: c["executed_at"] is not None)
    assert done["failure_reason"] is None
    flag = (await world.client.get(world.url(f"{flag_id}/"), headers=world.auth())).json()
    assert flag["active"] is True
    requests = (
        await world.client.get(f"/api/projects/{world.project_id}/change_requests/", headers=world.auth())
    ).json()
    assert [(r["action_key"], r["state"]) for r in requests["results"]] == [("feature_flag.disable", "pending")]
    second = await create(world, flag_id, scheduled_at=past)
    await asyncio.sleep(0.5)  # several worker ticks
    waiting = (await world.client.get(url(world, f"{second['id']}/"), headers=world.auth())).json()
    assert (waiting["executed_at"], waiting["failure_reason"]) == (None, None)
    again = (await world.client.get(f"/api/projects/{world.project_id}/change_requests/", headers=world.auth())).json()
    assert len(again["results"]) == 1
