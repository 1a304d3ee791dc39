"""Members (PostHog's levels and rules), personal API keys (shown once, scoped) and ``/api/users/@me/`` over HTTP."""

from __future__ import annotations

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.tenants import Tenants, error, mint_key, tenants_of


@pytest.fixture
async def t(world: World) -> Tenants:
    return await tenants_of(world)


def members_url(t: Tenants, suffix: str = "") -> str:
    return f"/api/organizations/{t.org_id}/members/{suffix}"


# --- members --------------------------------------------------------------------------------------------------------


async def test_members_list_with_levels(t: Tenants) -> None:
    body = (await t.client.get(members_url(t), headers=t.auth(t.member_key))).json()
    assert body["count"] == 2
    assert {m["user"]["email"]: m["level"] for m in body["results"]} == {
        "admin@flagcore.local": 15,
        "member@example.com": 1,
    }
    assert all(m["joined_at"] for m in body["results"])


async def test_admin_adds_members_but_not_owners(t: Tenants) -> None:
    added = await t.client.post(members_url(t), json={"email": "new@example.com", "level": 8}, headers=t.auth())
    assert added.status_code == 201, added.text
    assert (added.json()["level"], added.json()["user"]["email"]) == (8, "new@example.com")
    again = await t.client.post(members_url(t), json={"email": "NEW@example.com"}, headers=t.auth())
    assert error(again) == (400, "unique", "email")
    refused = await t.client.post(members_url(t), json={"email": "x@example.com"}, headers=t.auth(t.member_key))
    assert error(refused)[:2] == (403, "permission_denied")
    # An admin (made so by the owner) cannot add an owner.
    await t.client.patch(members_url(t, t.member_uuid), json={"level": 8}, headers=t.auth())
    owner = await t.client.post(
        members_url(t), json={"email": "boss@example.com", "level": 15}, headers=t.auth(t.member_key)
    )
    assert error(owner)[:2] == (403, "permission_denied")
    admin_ok = await t.client.post(members_url(t), json={"email": "ok@example.com"}, headers=t.auth(t.member_key))
    assert admin_ok.status_code == 201


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"email": "not-an-email"}, (400, "invalid", "email")),
        ({"email": "a@b.c", "level": 3}, (400, "invalid_choice", "level")),
        ({"email": "a@b.c", "level": "owner"}, (400, "invalid_input", "level")),
        ({}, (400, "required", "email")),
        ({"email": "a@b.c", "role": "x"}, (400, "unknown_field", "role")),
    ],
)
async def test_add_member_bad_input(t: Tenants, body: dict[str, object], expected: tuple[int, str, str]) -> None:
    assert error(await t.client.post(members_url(t), json=body, headers=t.auth())) == expected


async def test_level_rules(t: Tenants) -> None:
    me = t.owner_uuid
    own = await t.client.patch(members_url(t, me), json={"level": 1}, headers=t.auth())
    assert error(own)[:2] == (403, "permission_denied")  # nobody changes their own level
    promoted = await t.client.patch(members_url(t, t.member_uuid), json={"level": 8}, headers=t.auth())
    assert promoted.json()["level"] == 8
    # The admin cannot demote the owner, nor make anyone an owner.
    demote = await t.client.patch(members_url(t, me), json={"level": 1}, headers=t.auth(t.member_key))
    assert error(demote)[:2] == (403, "permission_denied")
    crown = await t.client.patch(members_url(t, t.member_uuid), json={"level": 15}, headers=t.auth(t.member_key))
    assert error(crown)[:2] == (403, "permission_denied")
    # The owner passes on ownership; with two owners, either may then be demoted by the other.
    assert (
        await t.client.patch(members_url(t, t.member_uuid), json={"level": 15}, headers=t.auth())
    ).status_code == 200
    demoted = await t.client.patch(members_url(t, me), json={"level": 8}, headers=t.auth(t.member_key))
    assert demoted.json()["level"] == 8
    bad = await t.client.patch(members_url(t, t.member_uuid), json={"level": 2}, headers=t.auth(t.member_key))
    assert error(bad) == (400, "invalid_choice", "level")
    unknown = await t.client.patch(members_url(t, "no-such-uuid"), json={"level": 1}, headers=t.auth())
    assert error(unknown)[0] == 404


async def test_the_last_owner_cannot_leave_but_others_can(t: Tenants) -> None:
    leave = await t.client.delete(members_url(t, t.owner_uuid), headers=t.auth())
    assert error(leave) == (400, "last_owner", "level")
    # A member cannot remove others, but may leave.
    kick = await t.client.delete(members_url(t, t.owner_uuid), headers=t.auth(t.member_key))
    assert error(kick)[:2] == (403, "permission_denied")
    assert (await t.client.delete(members_url(t, t.member_uuid), headers=t.auth(t.member_key))).status_code == 204
    gone = await t.client.get(f"/api/organizations/{t.org_id}/", headers=t.auth(t.member_key))
    assert error(gone)[0] == 404  # no longer a member: the organization is not disclosed
    flags = await t.client.get(f"/api/projects/{t.world.project_id}/feature_flags/", headers=t.auth(t.member_key))
    assert error(flags)[0] == 404
    remaining = (await t.client.get(members_url(t), headers=t.auth())).json()["results"]
    assert [m["user"]["uuid"] for m in remaining] == [t.owner_uuid]


async def test_owner_removes_a_member(t: Tenants) -> None:
    assert (await t.client.delete(members_url(t, t.member_uuid), headers=t.auth())).status_code == 204
    assert error(await t.client.delete(members_url(t, t.member_uuid), headers=t.auth()))[0] == 404


async def test_another_organizations_members_are_not_disclosed(t: Tenants) -> None:
    url = f"/api/organizations/{t.other_org_id}/members/"
    assert error(await t.client.get(url, headers=t.auth()))[0] == 404
    other_owner = (await t.client.get(url, headers=t.auth(t.world.other_key))).json()["results"][0]["user"]["uuid"]
    theirs = await t.client.delete(members_url(t, other_owner), headers=t.auth())
    assert error(theirs)[0] == 404  # their uuid through our organization


# --- personal API keys -----------------------------------------------------------------------------------------------


async def test_personal_key_value_is_shown_once(t: Tenants) -> None:
    minted = await mint_key(t.world, label="ci", scopes=["feature_flag:read"])
    assert minted["value"].startswith("phx_")
    assert minted["scopes"] == ["feature_flag:read"]
    assert (minted["scoped_teams"], minted["scoped_organizations"]) == ([], [])
    listed = (await t.client.get("/api/personal_api_keys/", headers=t.auth())).json()
    assert all(k["value"] is None for k in listed)
    assert minted["id"] in {k["id"] for k in listed}
    one = (await t.client.get(f"/api/personal_api_keys/{minted['id']}/", headers=t.auth())).json()
    assert (one["value"], one["mask_value"]) == (None, minted["mask_value"])
    flags = await t.client.get(f"/api/projects/{t.world.project_id}/feature_flags/", headers=t.auth(minted["value"]))
    assert flags.status_code == 200


async def test_deleted_personal_key_stops_working(t: Tenants) -> None:
    minted = await mint_key(t.world)
    assert (await t.client.delete(f"/api/personal_api_keys/{minted['id']}/", headers=t.auth())).status_code == 204
    assert error(await t.client.get("/api/users/@me/", headers=t.auth(minted["value"])))[0] == 401
    assert error(await t.client.delete(f"/api/personal_api_keys/{minted['id']}/", headers=t.auth()))[0] == 404


async def test_another_users_key_is_not_found(t: Tenants) -> None:
    theirs = await mint_key(t.world, t.world.other_key)
    for response in (
        await t.client.get(f"/api/personal_api_keys/{theirs['id']}/", headers=t.auth()),
        await t.client.delete(f"/api/personal_api_keys/{theirs['id']}/", headers=t.auth()),
    ):
        assert error(response)[0] == 404
    assert (await t.client.get("/api/users/@me/", headers=t.auth(theirs["value"]))).status_code == 200


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"scopes": ["feature_flag:delete"]}, (400, "invalid_input", "scopes")),
        ({"scopes": ["nothing:read"]}, (400, "invalid_input", "scopes")),
        ({"scopes": []}, (400, "invalid_input", "scopes")),
        ({"scopes": "*"}, (400, "invalid_input", "scopes")),
        ({"label": ""}, (400, "blank", "label")),
        ({"scoped_teams": ["a"]}, (400, "invalid_input", "scoped_teams")),
        ({"scoped_teams": [999999]}, (400, "invalid_input", "scoped_teams")),
        ({"scoped_organizations": ["nope"]}, (400, "invalid_input", "scoped_organizations")),
        ({"value": "phx_chosen"}, (400, "unknown_field", "value")),
    ],
)
async def test_personal_key_bad_input(t: Tenants, fields: dict[str, object], expected: tuple[int, str, str]) -> None:
    body = {"label": "x", "scopes": ["*"], **fields}
    assert error(await t.client.post("/api/personal_api_keys/", json=body, headers=t.auth())) == expected


async def test_keys_cannot_be_scoped_to_foreign_tenants(t: Tenants) -> None:
    body = {"label": "x", "scopes": ["*"], "scoped_teams": [t.world.other_project_id]}
    foreign_team = await t.client.post("/api/personal_api_keys/", json=body, headers=t.auth())
    assert error(foreign_team) == (400, "invalid_input", "scoped_teams")
    body = {"label": "x", "scopes": ["*"], "scoped_organizations": [t.other_org_id]}
    foreign_org = await t.client.post("/api/personal_api_keys/", json=body, headers=t.auth())
    assert error(foreign_org) == (400, "invalid_input", "scoped_organizations")


async def test_a_key_never_mints_a_key_reaching_further(t: Tenants) -> None:
    limited = await mint_key(t.world, scopes=["personal_api_key:write", "feature_flag:read"])
    wider = await t.client.post(
        "/api/personal_api_keys/",
        json={"label": "x", "scopes": ["feature_flag:write"]},
        headers=t.auth(limited["value"]),
    )
    assert error(wider)[:2] == (403, "permission_denied")
    same = await t.client.post(
        "/api/personal_api_keys/",
        json={"label": "x", "scopes": ["feature_flag:read"]},
        headers=t.auth(limited["value"]),
    )
    assert same.status_code == 201
    # A key limited to project A mints keys limited to project A only.
    unscoped = await t.client.post(
        "/api/personal_api_keys/", json={"label": "x", "scopes": ["*"]}, headers=t.auth(t.team_key)
    )
    assert error(unscoped)[:2] == (403, "permission_denied")
    sideways = await t.client.post(
        "/api/personal_api_keys/",
        json={"label": "x", "scopes": ["*"], "scoped_teams": [t.project_b]},
        headers=t.auth(t.team_key),
    )
    assert error(sideways)[:2] == (403, "permission_denied")
    inside = await mint_key(t.world, t.team_key, scoped_teams=[t.world.project_id])
    assert inside["scoped_teams"] == [t.world.project_id]


async def test_read_only_key_cannot_manage_keys(t: Tenants) -> None:
    response = await t.client.post(
        "/api/personal_api_keys/", json={"label": "x", "scopes": ["*"]}, headers=t.auth(t.world.read_key)
    )
    assert error(response)[:2] == (403, "permission_denied")
    assert error(await t.client.get("/api/personal_api_keys/", headers=t.auth(t.world.secret_key)))[0] == 403


# --- @me ------------------------------------------------------------------------------------------------------------


async def test_me(t: Tenants) -> None:
    me = (await t.client.get("/api/users/@me/", headers=t.auth())).json()
    assert (me["id"], me["email"]) == (t.world.user_id, "admin@flagcore.local")
    assert me["uuid"] == t.owner_uuid
    assert me["organization"] == {"id": t.org_id, "name": "Default Organization", "membership_level": 15}
    assert me["team"]["id"] == t.world.project_id
    assert [o["id"] for o in me["organizations"]] == [t.org_id]
    assert error(await t.client.get("/api/users/@me/"))[0] == 401


async def test_me_through_a_scoped_key_shows_only_its_scope(t: Tenants) -> None:
    await t.client.post("/api/organizations/", json={"name": "Second"}, headers=t.auth())
    full = (await t.client.get("/api/users/@me/", headers=t.auth())).json()
    assert len(full["organizations"]) == 2
    for key in (t.team_key, t.org_key):
        me = (await t.client.get("/api/users/@me/", headers=t.auth(key))).json()
        assert [o["id"] for o in me["organizations"]] == [t.org_id]
        assert me["team"]["id"] == t.world.project_id
    listed = (await t.client.get("/api/organizations/", headers=t.auth(t.team_key))).json()["results"]
    assert [[p["id"] for p in o["projects"]] for o in listed] == [[t.world.project_id]]
    assert t.project_b_token not in str(listed)
    only_b = await mint_key(t.world, scoped_teams=[t.project_b])
    me = (await t.client.get("/api/users/@me/", headers=t.auth(only_b["value"]))).json()
    assert me["team"] is None  # the current project (A) is outside the key's scope
    assert [o["id"] for o in me["organizations"]] == [t.org_id]
