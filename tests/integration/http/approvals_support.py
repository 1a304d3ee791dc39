"""Approvers, policies and gated flags for the approval HTTP tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flagcore.adapters.memory import MemoryFlagRepo, SystemClock
from flagcore.app.approvals.expiry import ExpireChangeRequests, ExpiryReport
from flagcore.app.identity.bootstrap import BootstrapCommand
from tests.integration.http.conftest import World


@dataclass
class Member:
    key: str
    id: int


async def member(world: World, email: str) -> Member:
    """A plain member of the admin's organization, with a personal key."""
    made = await world.bootstrap.execute(BootstrapCommand(organization_name="Default Organization", admin_email=email))
    key = made.personal_api_key or ""
    me = (await world.client.get("/api/users/@me/", headers=world.auth(key))).json()
    return Member(key=key, id=me["id"])


def policies_url(world: World, suffix: str = "", prefix: str = "projects") -> str:
    return f"/api/{prefix}/{world.project_id}/approval_policies/{suffix}"


def requests_url(world: World, suffix: str = "", prefix: str = "projects") -> str:
    return f"/api/{prefix}/{world.project_id}/change_requests/{suffix}"


async def policy(world: World, **fields: Any) -> dict[str, Any]:
    body = {"action_key": "feature_flag.enable", "approver_config": {"quorum": 1, "users": []}, **fields}
    made = await world.client.post(policies_url(world), json=body, headers=world.auth())
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


async def flag(world: World, key: str = "gated", **fields: Any) -> dict[str, Any]:
    body = {"key": key, "filters": {"groups": [{"properties": [], "rollout_percentage": 50}]}, **fields}
    made = await world.client.post(world.url(), json=body, headers=world.auth())
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


async def gated_enable(world: World, flag_id: int, key: str | None = None) -> dict[str, Any]:
    """PATCH ``active: true``, which the test's policy gates: the 409 body."""
    response = await world.client.patch(world.url(f"{flag_id}/"), json={"active": True}, headers=world.auth(key))
    assert response.status_code == 409, response.text
    return response.json()  # type: ignore[no-any-return]


async def expire_now(world: World) -> ExpiryReport:
    """One expiry run, as the background task or ``flagcore change-requests expire`` does it.

    Memory storage lives in the app (its container's instance); a database is reached from the test's own event
    loop through the seeding transactions (the app's pool belongs to the app's loop).
    """
    if isinstance(world.flags, MemoryFlagRepo):
        expire = await world.client.app.state.dishka_container.get(ExpireChangeRequests)
    else:
        expire = ExpireChangeRequests(world.bootstrap._transactions, SystemClock())
    return await expire.execute()
