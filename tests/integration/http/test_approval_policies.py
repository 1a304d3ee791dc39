"""``approval_policies/``: CRUD for organization admins, reads for members, PostHog's validation messages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.http.approvals_support import member, policies_url, policy
from tests.integration.http.conftest import World


async def test_create_read_update_delete(world: World) -> None:
    made = await policy(world, approver_config={"quorum": 2, "users": [world.user_id], "roles": ["admin"]})
    assert made["action_key"] == "feature_flag.enable"
    assert made["approver_config"] == {"quorum": 2, "users": [world.user_id], "roles": [8]}
    assert made["expires_after"] == "14 00:00:00"
    assert (made["allow_self_approve"], made["enabled"], made["organization_wide"]) == (False, True, False)
    assert made["created_by"]["id"] == world.user_id
    url = policies_url(world, f"{made['id']}/")
    assert (await world.client.get(url, headers=world.auth())).json() == made
    patched = await world.client.patch(url, json={"enabled": False, "expires_after": "01:00:00"}, headers=world.auth())
    assert patched.status_code == 200, patched.text
    assert (patched.json()["enabled"], patched.json()["expires_after"]) == (False, "01:00:00")
    put = await world.client.put(url, json={"action_key": "feature_flag.disable"}, headers=world.auth())
    assert put.json()["action_key"] == "feature_flag.disable"
    assert (await world.client.delete(url, headers=world.auth())).status_code == 204
    assert (await world.client.get(url, headers=world.auth())).status_code == 404


async def test_list_filters(world: World) -> None:
    await policy(world)
    await policy(world, action_key="feature_flag.disable", enabled=False)
    await policy(world, action_key="feature_flag.update", organization_wide=True)

    async def keys(query: str = "") -> list[str]:
        response = await world.client.get(policies_url(world) + query, headers=world.auth())
        assert response.status_code == 200, response.text
        return [p["action_key"] for p in response.json()["results"]]

    assert await keys() == ["feature_flag.enable", "feature_flag.disable", "feature_flag.update"]
    assert await keys("?action_key=feature_flag.disable") == ["feature_flag.disable"]
    assert await keys("?enabled=false") == ["feature_flag.disable"]
    assert await keys("?enabled=true") == ["feature_flag.enable", "feature_flag.update"]
    bad = await world.client.get(policies_url(world) + "?enabled=maybe", headers=world.auth())
    assert (bad.status_code, bad.json()["attr"]) == (400, "enabled")


@pytest.mark.parametrize(
    ("body", "detail", "attr"),
    [
        ({"approver_config": {"quorum": 0}}, "Quorum must be at least 1", "approver_config"),
        (
            {"bypass_org_membership_levels": ["8"]},
            "All membership levels must be integers",
            "bypass_org_membership_levels",
        ),
        ({"bypass_roles": ["chief"]}, "Roles do not exist: chief", "bypass_roles"),
        ({"action_key": "experiment.launch"}, "This approval action isn't available yet.", "action_key"),
        ({"action_key": None}, "This approval action isn't available yet.", "action_key"),
        (
            {"expires_after": "a fortnight"},
            "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu].",
            "expires_after",
        ),
        ({"enabled": "yes"}, "Must be a valid boolean.", "enabled"),
    ],
)
async def test_validation_messages(world: World, body: dict[str, Any], detail: str, attr: str) -> None:
    response = await world.client.post(
        policies_url(world), json={"action_key": "feature_flag.enable", **body}, headers=world.auth()
    )
    assert response.status_code == 400, response.text
    assert (response.json()["detail"], response.json()["attr"]) == (detail, attr)


async def test_action_key_required(world: World) -> None:
    response = await world.client.post(policies_url(world), json={}, headers=world.auth())
    assert (response.status_code, response.json()["code"], response.json()["attr"]) == (400, "required", "action_key")


async def test_second_policy_for_an_action_refused(world: World) -> None:
    await policy(world)
    again = await world.client.post(
        policies_url(world), json={"action_key": "feature_flag.enable"}, headers=world.auth()
    )
    assert again.status_code == 400
    assert (
        again.json()["detail"] == "A policy for this action already exists. You can edit the existing policy instead."
    )
    # the organization-wide scope is another scope
    wide = {"action_key": "feature_flag.enable", "organization_wide": True}
    assert (await world.client.post(policies_url(world), json=wide, headers=world.auth())).status_code == 201


async def test_members_read_admins_write(world: World) -> None:
    made = await policy(world)
    plain = await member(world, "plain@example.com")
    assert (await world.client.get(policies_url(world), headers=world.auth(plain.key))).status_code == 200
    for method, url, body in (
        ("POST", policies_url(world), {"action_key": "feature_flag.disable"}),
        ("PATCH", policies_url(world, f"{made['id']}/"), {"enabled": False}),
        ("DELETE", policies_url(world, f"{made['id']}/"), None),
    ):
        response = await world.client.request(method, url, json=body, headers=world.auth(plain.key))
        assert response.status_code == 403, response.text
        assert response.json()["detail"] == "Your organization access level is insufficient."


async def test_unknown_policy_is_not_found(world: World) -> None:
    for suffix in ("0195f0d4-0000-7000-8000-000000000009/", "not-a-uuid/"):
        response = await world.client.get(policies_url(world, suffix), headers=world.auth())
        assert response.status_code == 404


async def test_approvers_must_be_members_and_the_quorum_reachable(world: World) -> None:
    outsider = 987_654
    cases = [
        ({"quorum": 1, "users": [world.user_id, outsider]}, f"User {outsider} is not a member of this organization."),
        ({"quorum": 2, "users": [world.user_id]}, "Quorum cannot be larger than the number of approvers."),
        (
            {"quorum": 2, "users": [world.user_id, world.user_id]},
            "Quorum cannot be larger than the number of approvers.",
        ),
        ({"quorum": 10**9, "roles": ["admin"]}, "At most 100 approvers."),
        ({"quorum": 1, "users": list(range(1, 102))}, "At most 100 approvers."),
    ]
    for config, detail in cases:
        response = await world.client.post(
            policies_url(world),
            json={"action_key": "feature_flag.enable", "approver_config": config},
            headers=world.auth(),
        )
        assert response.status_code == 400, (config, response.text)
        assert (response.json()["detail"], response.json()["attr"]) == (detail, "approver_config")
    made = await policy(world, approver_config={"quorum": 1, "users": [world.user_id]})
    patched = await world.client.patch(
        policies_url(world, f"{made['id']}/"), json={"approver_config": {"users": [outsider]}}, headers=world.auth()
    )
    assert patched.status_code == 400
    stored = (await world.client.get(policies_url(world, f"{made['id']}/"), headers=world.auth())).json()
    assert stored["approver_config"]["users"] == [world.user_id]


async def test_patch_moves_a_policy_between_the_project_and_the_organization(world: World) -> None:
    made = await policy(world)
    url = policies_url(world, f"{made['id']}/")
    wide = await world.client.patch(url, json={"organization_wide": True}, headers=world.auth())
    assert (wide.status_code, wide.json()["organization_wide"]) == (200, True), wide.text
    assert (await world.client.get(url, headers=world.auth())).json()["organization_wide"] is True
    back = await world.client.patch(url, json={"organization_wide": False}, headers=world.auth())
    assert back.json()["organization_wide"] is False
    kept = await world.client.patch(url, json={"enabled": False}, headers=world.auth())
    assert kept.json()["organization_wide"] is False  # not sent: the scope stays
    bad = await world.client.patch(url, json={"organization_wide": "yes"}, headers=world.auth())
    assert (bad.status_code, bad.json()["attr"]) == (400, "organization_wide")
