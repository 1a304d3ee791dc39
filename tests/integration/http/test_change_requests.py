"""The approval gate on flag writes and the change-request lifecycle over HTTP, on every storage backend.

pending -> approved -> applied, rejected, canceled, expired, failed (precondition); PostHog's bodies and messages.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.http.approvals_support import expire_now, flag, gated_enable, member, policy, requests_url
from tests.integration.http.conftest import World

PENDING = "A change request has been created and is pending approval."


async def _get(world: World, flag_id: int) -> dict[str, Any]:
    return (await world.client.get(world.url(f"{flag_id}/"), headers=world.auth())).json()  # type: ignore[no-any-return]


async def _act(world: World, request_id: str, action: str, key: str | None = None, **body: Any) -> Any:
    return await world.client.post(requests_url(world, f"{request_id}/{action}/"), json=body, headers=world.auth(key))


async def test_gated_write_answers_409_and_leaves_the_flag(world: World) -> None:
    approver = await member(world, "approver@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    made = await flag(world, active=False)
    body = await gated_enable(world, made["id"])
    assert {k: body[k] for k in ("code", "status", "detail", "message", "resource_type", "resource_id")} == {
        "code": "approval_required",
        "status": "approval_required",
        "detail": PENDING,
        "message": PENDING,
        "resource_type": "feature_flag",
        "resource_id": str(made["id"]),
    }
    assert body["required_approvers"] == {"quorum": 1, "users": [approver.id], "roles": []}
    request = body["change_request"]
    assert request["id"] == body["change_request_id"]
    assert (request["state"], request["action_key"], request["validation_status"]) == (
        "pending",
        "feature_flag.enable",
        "valid",
    )
    assert request["intent"]["preconditions"]["version"] == made["version"]
    assert request["intent"]["full_request_data"] == {"active": True}
    assert request["created_by"]["id"] == world.user_id
    assert (request["is_requester"], request["can_cancel"], request["can_approve"]) == (True, True, False)
    assert request["approvals"] == []
    after = await _get(world, made["id"])
    assert (after["active"], after["version"]) == (False, made["version"])
    # the same change again: the open request, not a second one
    again = await gated_enable(world, made["id"])
    assert (again["code"], again["detail"], again["required_approvers"]) == (
        "change_request_pending",
        "A pending approval request already exists for this action",
        {},
    )
    assert again["change_request_id"] == body["change_request_id"]
    listed = await world.client.get(requests_url(world), headers=world.auth())
    assert listed.json()["count"] == 1


async def test_ungated_writes_pass(world: World) -> None:
    await policy(world, bypass_org_membership_levels=[15])  # the admin is the owner: bypasses
    made = await flag(world, active=False)
    enabled = await world.client.patch(world.url(f"{made['id']}/"), json={"active": True}, headers=world.auth())
    assert enabled.status_code == 200, enabled.text
    plain = await member(world, "plain@example.com")
    renamed = await world.client.patch(world.url(f"{made['id']}/"), json={"name": "x"}, headers=world.auth(plain.key))
    assert renamed.status_code == 200  # no gated action


async def test_put_and_rollout_changes_are_gated(world: World) -> None:
    await policy(
        world,
        action_key="feature_flag.update",
        conditions={"type": "change_amount", "field": "rollout_percentage", "operator": ">", "value": 10},
    )
    made = await flag(world)
    small = {"key": "gated", "filters": {"groups": [{"properties": [], "rollout_percentage": 55}]}}
    assert (await world.client.put(world.url(f"{made['id']}/"), json=small, headers=world.auth())).status_code == 200
    big = {"key": "gated", "filters": {"groups": [{"properties": [], "rollout_percentage": 90}]}}
    response = await world.client.put(world.url(f"{made['id']}/"), json=big, headers=world.auth())
    assert response.status_code == 409, response.text
    change = response.json()["change_request"]["intent"]["gated_changes"]["rollout_percentage"]
    assert change == [{"path": "groups[0]", "before": 55, "after": 90}]
    assert response.json()["change_request"]["intent"]["http_method"] == "PUT"


async def test_approver_self_request_message(world: World) -> None:
    await policy(world, approver_config={"quorum": 1, "users": [world.user_id]})
    made = await flag(world, active=False)
    body = await gated_enable(world, made["id"])
    assert body["detail"] == "A change request has been created and is pending approval from others."


async def test_policy_conflict(world: World) -> None:
    await policy(world)
    await policy(world, action_key="feature_flag.update")
    made = await flag(world, active=False)
    body = {"active": True, "filters": {"groups": [{"properties": [], "rollout_percentage": 80}]}}
    response = await world.client.patch(world.url(f"{made['id']}/"), json=body, headers=world.auth())
    assert response.status_code == 400, response.text
    assert (response.json()["type"], response.json()["attr"], response.json()["detail"]) == (
        "validation_error",
        "code",
        "policy_conflict",
    )


async def test_quorum_applies_as_the_requester(world: World) -> None:
    first, second = await member(world, "a1@example.com"), await member(world, "a2@example.com")
    await policy(world, approver_config={"quorum": 2, "users": [first.id, second.id]})
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    one = await _act(world, request_id, "approve", first.key, reason="ok")
    assert one.status_code == 200, one.text
    assert (one.json()["status"], one.json()["message"]) == ("approved", "Approval recorded. 1/2 approvals received.")
    assert "result" not in one.json()
    assert one.json()["change_request"]["user_decision"] == "approved"
    twice = await _act(world, request_id, "approve", first.key)
    assert (twice.status_code, twice.json()) == (400, {"error": "You have already voted on this change request."})
    two = await _act(world, request_id, "approve", second.key)
    assert two.status_code == 200, two.text
    assert (two.json()["status"], two.json()["message"]) == ("applied", "Quorum reached. Change applied successfully.")
    assert two.json()["result"] == {"resource_id": str(made["id"]), "resource_version": made["version"] + 1}
    request = two.json()["change_request"]
    assert (request["state"], request["applied_by"]["id"]) == ("applied", world.user_id)
    assert [a["created_by"]["id"] for a in request["approvals"]] == [first.id, second.id]
    after = await _get(world, made["id"])
    assert (after["active"], after["version"], after["last_modified_by"]["id"]) == (
        True,
        made["version"] + 1,
        world.user_id,
    )
    activity = await world.client.get(world.url(f"{made['id']}/activity/"), headers=world.auth())
    entry = activity.json()["results"][0]
    assert entry["user"]["email"] == "admin@flagcore.local"
    assert entry["detail"]["trigger"]["job_type"] == "change_request"
    assert entry["detail"]["trigger"]["payload"] == {
        "change_request_id": request_id,
        "approved_by": [first.id, second.id],
    }
    late = await _act(world, request_id, "approve", first.key)
    assert (late.status_code, late.json()["detail"]) == (403, "Only pending change requests can be approved")


async def test_precondition_failure(world: World) -> None:
    approver = await member(world, "a1@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    renamed = await world.client.patch(world.url(f"{made['id']}/"), json={"name": "moved on"}, headers=world.auth())
    assert renamed.status_code == 200
    response = await _act(world, request_id, "approve", approver.key)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "failed"
    assert response.json()["message"].startswith("Quorum reached but application failed: Precondition failed")
    request = response.json()["change_request"]
    assert request["state"] == "failed"
    assert request["apply_error"].startswith("Precondition failed")
    assert (await _get(world, made["id"]))["active"] is False


async def test_reject(world: World) -> None:
    approver = await member(world, "a1@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    empty = await _act(world, request_id, "reject", approver.key, reason="  ")
    assert (empty.status_code, empty.json()) == (400, {"error": "A reason is required for rejection."})
    rejected = await _act(world, request_id, "reject", approver.key, reason="not now")
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["message"]) == ("rejected", "Change request rejected.")
    assert rejected.json()["change_request"]["state"] == "rejected"
    assert rejected.json()["change_request"]["approvals"][0]["reason"] == "not now"
    assert (await _get(world, made["id"]))["active"] is False
    # a closed request no longer blocks a new one
    assert (await gated_enable(world, made["id"]))["code"] == "approval_required"


async def test_permissions(world: World) -> None:
    approver, outsider = await member(world, "a1@example.com"), await member(world, "o@example.com")
    await policy(world, approver_config={"quorum": 2, "users": [approver.id, world.user_id]})
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    own = await _act(world, request_id, "approve")
    assert (own.status_code, own.json()["detail"]) == (403, "You cannot approve your own change request")
    stranger = await _act(world, request_id, "approve", outsider.key)
    assert (stranger.status_code, stranger.json()["detail"]) == (
        403,
        "You are not in the approver set for this change request",
    )
    not_mine = await _act(world, request_id, "cancel", approver.key)
    assert (not_mine.status_code, not_mine.json()["detail"]) == (403, "You can only cancel your own change requests")
    assert (await _act(world, request_id, "approve", approver.key)).status_code == 200
    late_cancel = await _act(world, request_id, "cancel")
    assert (late_cancel.status_code, late_cancel.json()["detail"]) == (403, "You cannot cancel this change request")
    missing = await world.client.get(requests_url(world, "0195f0d4-0000-7000-8000-000000000009/"), headers=world.auth())
    assert missing.status_code == 404


async def test_cancel(world: World) -> None:
    await policy(world)
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    canceled = await _act(world, request_id, "cancel")
    assert canceled.status_code == 200, canceled.text
    assert (canceled.json()["status"], canceled.json()["message"]) == ("canceled", "Change request canceled.")
    request = canceled.json()["change_request"]
    assert request["state"] == "rejected"
    assert request["approvals"][0]["reason"] == "Canceled by requester"
    again = await _act(world, request_id, "cancel")
    assert (again.status_code, again.json()["detail"]) == (403, "You cannot cancel this change request")


async def test_expiry(world: World) -> None:
    await policy(world, expires_after="1")
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    await asyncio.sleep(1.1)
    assert (await expire_now(world)).expired == 1
    assert (await expire_now(world)).expired == 0
    request = (await world.client.get(requests_url(world, f"{request_id}/"), headers=world.auth())).json()
    assert (request["state"], request["validation_status"]) == ("expired", "expired")
    assert (await gated_enable(world, made["id"]))["code"] == "approval_required"


async def test_staleness(world: World) -> None:
    await policy(world)
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    await world.client.patch(world.url(f"{made['id']}/"), json={"name": "moved on"}, headers=world.auth())
    assert (await expire_now(world)).stale == 1
    request = (await world.client.get(requests_url(world, f"{request_id}/"), headers=world.auth())).json()
    assert (request["state"], request["validation_status"]) == ("pending", "stale")


async def test_list_filters_and_environments_mount(world: World) -> None:
    approver = await member(world, "a1@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    first, second = await flag(world, "one", active=False), await flag(world, "two", active=False)
    one = (await gated_enable(world, first["id"]))["change_request_id"]
    two = (await gated_enable(world, second["id"]))["change_request_id"]
    assert (await _act(world, one, "approve", approver.key)).json()["status"] == "applied"

    async def ids(query: str, prefix: str = "projects") -> list[str]:
        response = await world.client.get(requests_url(world, prefix=prefix) + query, headers=world.auth())
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["results"]]

    assert await ids("") == [two, one]
    assert await ids("", prefix="environments") == [two, one]
    assert await ids("?state=pending") == [two]
    assert await ids("?state=pending,applied") == [two, one]
    assert await ids(f"?resource_id={first['id']}&resource_type=feature_flag") == [one]
    assert await ids(f"?requester={world.user_id}&action_key=feature_flag.enable") == [two, one]
    assert await ids(f"?requester={approver.id}") == []
    assert await ids("?limit=1") == [two]
    bad = await world.client.get(requests_url(world) + "?state=done", headers=world.auth())
    assert (bad.status_code, bad.json()["attr"]) == (400, "state")
    assert (await world.client.get(requests_url(world) + "?requester=x", headers=world.auth())).status_code == 400
    huge = await world.client.get(requests_url(world) + "?requester=99999999999999999999", headers=world.auth())
    assert (huge.status_code, huge.json()["attr"]) == (400, "requester")
    got = await world.client.get(requests_url(world, f"{one}/", prefix="environments"), headers=world.auth())
    assert got.json()["state"] == "applied"
    by_approver = await world.client.get(requests_url(world, f"{two}/"), headers=world.auth(approver.key))
    assert (by_approver.json()["can_approve"], by_approver.json()["is_requester"]) == (True, False)


async def test_many_approvers_at_once_apply_once(world: World) -> None:
    voters = [await member(world, f"v{i}@example.com") for i in range(6)]
    await policy(world, approver_config={"quorum": 3, "users": [v.id for v in voters]})
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"]))["change_request_id"]
    answers = await asyncio.gather(*(_act(world, request_id, "approve", v.key) for v in voters))
    statuses = sorted(a.json()["status"] if a.status_code == 200 else f"{a.status_code}" for a in answers)
    assert statuses.count("applied") == 1, statuses
    assert statuses.count("approved") == 2, statuses
    refused = [a for a in answers if a.status_code != 200]
    assert all(a.status_code in (400, 403) for a in refused), [a.text for a in refused]
    after = await _get(world, made["id"])
    assert (after["active"], after["version"]) == (True, made["version"] + 1)
    activity = await world.client.get(world.url(f"{made['id']}/activity/"), headers=world.auth())
    assert [e["activity"] for e in activity.json()["results"]] == ["updated", "created"]


async def test_organization_policy_applies_where_the_project_has_none(world: World) -> None:
    await policy(world, organization_wide=True)
    sibling = world.sibling_project_id
    made = await world.client.post(world.url(project=sibling), json={"key": "s", "active": False}, headers=world.auth())
    response = await world.client.patch(
        world.url(f"{made.json()['id']}/", project=sibling), json={"active": True}, headers=world.auth()
    )
    assert response.status_code == 409, response.text
    # the project's own policy comes first: an owner bypass there lets the write through
    await policy(world, bypass_org_membership_levels=[15])
    own = await flag(world, active=False)
    enabled = await world.client.patch(world.url(f"{own['id']}/"), json={"active": True}, headers=world.auth())
    assert enabled.status_code == 200, enabled.text


async def test_actions_through_the_environments_mount(world: World) -> None:
    approver = await member(world, "a1@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    first, second = await flag(world, "one", active=False), await flag(world, "two", active=False)
    one = (await gated_enable(world, first["id"]))["change_request_id"]
    two = (await gated_enable(world, second["id"]))["change_request_id"]
    env = "environments"
    rejected = await world.client.post(
        requests_url(world, f"{one}/reject/", prefix=env), json={"reason": "no"}, headers=world.auth(approver.key)
    )
    assert rejected.json()["status"] == "rejected"
    canceled = await world.client.post(requests_url(world, f"{two}/cancel/", prefix=env), json={}, headers=world.auth())
    assert canceled.json()["status"] == "canceled"
    third = (await gated_enable(world, first["id"]))["change_request_id"]
    approved = await world.client.post(
        requests_url(world, f"{third}/approve/", prefix=env), json={}, headers=world.auth(approver.key)
    )
    assert approved.json()["status"] == "applied"
    policies = await world.client.get(f"/api/environments/{world.project_id}/approval_policies/", headers=world.auth())
    assert policies.json()["count"] == 1


async def test_key_taken_meanwhile_fails_validation(world: World) -> None:
    approver = await member(world, "a1@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    made = await flag(world, active=False)
    gated = await world.client.patch(
        world.url(f"{made['id']}/"), json={"active": True, "key": "renamed"}, headers=world.auth()
    )
    assert gated.status_code == 409, gated.text
    await flag(world, "renamed")
    response = await _act(world, gated.json()["change_request_id"], "approve", approver.key)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "failed"
    assert response.json()["change_request"]["apply_error"] == (
        "Validation failed: There is already a feature flag with this key."
    )
    assert (await _get(world, made["id"]))["key"] == "gated"


async def test_a_request_whose_author_left_the_organization_fails_instead_of_applying(world: World) -> None:
    leaver = await member(world, "leaver@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [world.user_id]})
    made = await flag(world, active=False)
    request_id = (await gated_enable(world, made["id"], key=leaver.key))["change_request_id"]
    org = (await world.client.get("/api/users/@me/", headers=world.auth())).json()["organization"]["id"]
    members = (await world.client.get(f"/api/organizations/{org}/members/", headers=world.auth())).json()["results"]
    uuid = next(m["user"]["uuid"] for m in members if m["user"]["email"] == "leaver@example.com")
    removed = await world.client.delete(f"/api/organizations/{org}/members/{uuid}/", headers=world.auth())
    assert removed.status_code == 204, removed.text
    answer = await _act(world, request_id, "approve", None)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "failed"
    assert "no longer a member" in answer.json()["message"]
    assert (await _get(world, made["id"]))["active"] is False
