"""Every write path that changes a flag passes the approval gate: bulk delete and copy_flags too."""

from __future__ import annotations

from tests.integration.http.approvals_support import flag, member, policy, requests_url
from tests.integration.http.conftest import World


async def test_bulk_delete_of_an_active_flag_needs_approval(world: World) -> None:
    approver = await member(world, "a1@example.com")
    await policy(world, action_key="feature_flag.disable", approver_config={"quorum": 1, "users": [approver.id]})
    active, inactive = await flag(world, "on"), await flag(world, "off", active=False)
    body = {"ids": [active["id"], inactive["id"]]}
    response = await world.client.post(world.url("bulk_delete/"), json=body, headers=world.auth())
    assert response.status_code == 200, response.text
    assert [d["key"] for d in response.json()["deleted"]] == ["off"]  # an inactive flag's delete disables nothing
    assert response.json()["errors"] == [
        {"id": active["id"], "key": "on", "reason": "A change request has been created and is pending approval."}
    ]
    assert (await world.client.get(world.url(f"{active['id']}/"), headers=world.auth())).json()["deleted"] is False
    listed = (await world.client.get(requests_url(world), headers=world.auth())).json()["results"]
    assert [(r["action_key"], r["resource_id"]) for r in listed] == [("feature_flag.disable", str(active["id"]))]
    approved = await world.client.post(
        requests_url(world, f"{listed[0]['id']}/approve/"), json={}, headers=world.auth(approver.key)
    )
    assert approved.json()["status"] == "applied", approved.text
    assert (await world.client.get(world.url(f"{active['id']}/"), headers=world.auth())).json()["deleted"] is True


async def test_patch_soft_delete_of_an_active_flag_is_a_disable(world: World) -> None:
    await policy(world, action_key="feature_flag.disable")
    made = await flag(world)
    response = await world.client.patch(world.url(f"{made['id']}/"), json={"deleted": True}, headers=world.auth())
    assert response.status_code == 409, response.text
    assert response.json()["change_request"]["intent"]["gated_changes"] == {
        "deleted": [{"path": "deleted", "before": False, "after": True}]
    }


async def test_copy_onto_a_gated_flag_reports_the_change_request(world: World) -> None:
    sibling = world.sibling_project_id
    body = {"action_key": "feature_flag.enable", "approver_config": {"quorum": 1}}
    made = await world.client.post(f"/api/projects/{sibling}/approval_policies/", json=body, headers=world.auth())
    assert made.status_code == 201, made.text
    target = await world.client.post(
        world.url(project=sibling), json={"key": "copied", "active": False}, headers=world.auth()
    )
    assert target.status_code == 201
    await flag(world, "copied")  # active in the source project
    copy = {"feature_flag_key": "copied", "from_project": world.project_id, "target_project_ids": [sibling]}
    url = f"/api/organizations/{world.organization_id}/feature_flags/copy_flags/"
    result = (await world.client.post(url, json=copy, headers=world.auth())).json()
    assert result["success"] == []
    assert result["failed"] == [
        {"project_id": sibling, "errors": "A change request has been created and is pending approval."}
    ]
    still = await world.client.get(world.url(f"{target.json()['id']}/", project=sibling), headers=world.auth())
    assert still.json()["active"] is False
    pending = await world.client.get(f"/api/projects/{sibling}/change_requests/?state=pending", headers=world.auth())
    assert pending.json()["count"] == 1
