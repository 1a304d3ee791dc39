"""Two organizations seen through every kind of key, built through the API itself on top of ``world``.

- org A: project A (``world.project_id``, the admin's current project) and project B; its owner (``world.admin_key``);
  a plain member (``member_key``); keys of the owner limited to project A (``team_key``) or to org A (``org_key``).
- org B: project C (``world.other_project_id``) and its owner (``world.other_key``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flagcore.app.identity.bootstrap import BootstrapCommand
from tests.integration.http.conftest import World


@dataclass
class Tenants:
    world: World
    org_id: str
    other_org_id: str
    project_b: int
    project_b_token: str
    team_key: str
    org_key: str
    member_key: str
    member_uuid: str
    owner_uuid: str

    @property
    def client(self) -> Any:
        return self.world.client

    def auth(self, key: str | None = None) -> dict[str, str]:
        return self.world.auth(key)


def error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()
    assert set(body) == {"type", "code", "detail", "attr"}, body
    return response.status_code, body["code"], body["attr"]


async def mint_key(world: World, key: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {"label": "test", "scopes": ["*"], **fields}
    response = await world.client.post("/api/personal_api_keys/", json=body, headers=world.auth(key))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def tenants_of(world: World) -> Tenants:
    client = world.client
    me = (await client.get("/api/users/@me/", headers=world.auth())).json()
    other = (await client.get("/api/users/@me/", headers=world.auth(world.other_key))).json()
    org_id, other_org_id = me["organization"]["id"], other["organization"]["id"]
    created = await client.post(
        f"/api/organizations/{org_id}/projects/", json={"name": "Project B"}, headers=world.auth()
    )
    assert created.status_code == 201, created.text
    team_key = await mint_key(world, label="team", scoped_teams=[world.project_id])
    org_key = await mint_key(world, label="org", scoped_organizations=[org_id])
    # A second user of org A, as `flagcore init --organization ... --email ...` makes one: a plain member.
    member = await world.bootstrap.execute(
        BootstrapCommand(organization_name="Default Organization", admin_email="member@example.com")
    )
    members = (await client.get(f"/api/organizations/{org_id}/members/", headers=world.auth())).json()["results"]
    uuids = {m["user"]["email"]: m["user"]["uuid"] for m in members}
    return Tenants(
        world=world,
        org_id=org_id,
        other_org_id=other_org_id,
        project_b=created.json()["id"],
        project_b_token=created.json()["api_token"],
        team_key=team_key["value"],
        org_key=org_key["value"],
        member_key=member.personal_api_key or "",
        member_uuid=uuids["member@example.com"],
        owner_uuid=uuids["admin@flagcore.local"],
    )
