"""Organizations and projects over HTTP: success paths, PostHog's error bodies, bad input (never a 500)."""

from __future__ import annotations

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.tenants import Tenants, error, tenants_of


@pytest.fixture
async def t(world: World) -> Tenants:
    return await tenants_of(world)


# --- organizations --------------------------------------------------------------------------------------------------


async def test_organizations_list_only_the_callers(t: Tenants) -> None:
    body = (await t.client.get("/api/organizations/", headers=t.auth())).json()
    assert [o["id"] for o in body["results"]] == [t.org_id]
    assert body["count"] == 1
    org = body["results"][0]
    assert org["membership_level"] == 15
    assert org["member_count"] == 2
    # the shared world's sibling project, the tenants' project B: all of the caller's organization
    assert {p["id"] for p in org["projects"]} == {t.world.project_id, t.world.sibling_project_id, t.project_b}


async def test_create_organization_makes_the_caller_its_owner(t: Tenants) -> None:
    created = await t.client.post("/api/organizations/", json={"name": "  Acme  "}, headers=t.auth())
    assert created.status_code == 201, created.text
    org = created.json()
    assert (org["name"], org["membership_level"], org["member_count"], org["projects"]) == ("Acme", 15, 1, [])
    again = await t.client.get(f"/api/organizations/{org['id']}/", headers=t.auth())
    assert again.json()["name"] == "Acme"
    listed = (await t.client.get("/api/organizations/", headers=t.auth())).json()
    assert {o["id"] for o in listed["results"]} == {t.org_id, org["id"]}
    foreign = await t.client.get(f"/api/organizations/{org['id']}/", headers=t.auth(t.world.other_key))
    assert error(foreign)[0] == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"name": ""}', (400, "blank", "name")),
        (b'{"name": "   "}', (400, "blank", "name")),
        (b'{"name": 5}', (400, "invalid_input", "name")),
        (b"{}", (400, "required", "name")),
        (b'{"name": "x", "slug": "y"}', (400, "unknown_field", "slug")),
        (b"not json", (400, "parse_error", None)),
        (b'{"name": "' + b"x" * 201 + b'"}', (400, "max_length", "name")),
        (b'{"name": "a\\u0000b"}', (400, "null_characters_not_allowed", None)),
    ],
)
async def test_create_organization_bad_input(t: Tenants, body: bytes, expected: tuple[int, str, str | None]) -> None:
    response = await t.client.post("/api/organizations/", content=body, headers=t.auth())
    assert error(response) == expected


async def test_tenant_scoped_keys_cannot_create_organizations(t: Tenants) -> None:
    for key in (t.team_key, t.org_key):
        response = await t.client.post("/api/organizations/", json={"name": "Side"}, headers=t.auth(key))
        assert error(response)[:2] == (403, "permission_denied")


async def test_rename_organization_by_admin_only(t: Tenants) -> None:
    url = f"/api/organizations/{t.org_id}/"
    renamed = await t.client.patch(url, json={"name": "Renamed"}, headers=t.auth())
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Renamed"
    refused = await t.client.patch(url, json={"name": "Mine"}, headers=t.auth(t.member_key))
    assert error(refused)[:2] == (403, "permission_denied")
    assert (await t.client.get(url, headers=t.auth(t.member_key))).json()["name"] == "Renamed"
    assert error(await t.client.patch(url, json={"name": ""}, headers=t.auth())) == (400, "blank", "name")


@pytest.mark.parametrize("ref", ["nope", "0" * 65, "%00", "@current-ish", "12"])
async def test_unknown_organization_refs_are_404(t: Tenants, ref: str) -> None:
    assert error(await t.client.get(f"/api/organizations/{ref}/", headers=t.auth()))[:2] == (404, "not_found")


async def test_current_organization_alias(t: Tenants) -> None:
    response = await t.client.get("/api/organizations/@current/", headers=t.auth())
    assert response.json()["id"] == t.org_id


async def test_organization_routes_need_credentials_and_scopes(t: Tenants) -> None:
    assert error(await t.client.get("/api/organizations/"))[0] == 401
    read_only = await t.client.get("/api/organizations/", headers=t.auth(t.world.read_key))
    assert error(read_only)[:2] == (403, "permission_denied")
    secret = await t.client.get("/api/organizations/", headers=t.auth(t.world.secret_key))
    assert error(secret)[0] == 403


# --- projects -------------------------------------------------------------------------------------------------------


async def test_organization_projects_list_and_create(t: Tenants) -> None:
    url = f"/api/organizations/{t.org_id}/projects/"
    created = await t.client.post(url, json={"name": "Mobile", "timezone": "Europe/Paris"}, headers=t.auth())
    assert created.status_code == 201, created.text
    project = created.json()
    assert (project["name"], project["timezone"], project["organization"]) == ("Mobile", "Europe/Paris", t.org_id)
    assert project["api_token"].startswith("phc_")
    listed = (await t.client.get(url, headers=t.auth(t.member_key))).json()
    expected = [t.world.project_id, t.world.sibling_project_id, t.project_b, project["id"]]
    assert [p["id"] for p in listed["results"]] == expected
    # The new project's flag routes work at once.
    flags = await t.client.get(f"/api/projects/{project['id']}/feature_flags/", headers=t.auth())
    assert flags.status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": "X", "timezone": "Mars/Olympus"}, (400, "invalid_choice", "timezone")),
        ({"name": "X", "timezone": "../../etc/passwd"}, (400, "invalid_choice", "timezone")),
        ({"name": "X", "timezone": ""}, (400, "invalid_choice", "timezone")),
        ({"name": ""}, (400, "blank", "name")),
        ({"timezone": "UTC"}, (400, "required", "name")),
        ({"name": "X", "api_token": "phc_mine"}, (400, "unknown_field", "api_token")),
    ],
)
async def test_create_project_bad_input(t: Tenants, body: dict[str, object], expected: tuple[int, str, str]) -> None:
    response = await t.client.post(f"/api/organizations/{t.org_id}/projects/", json=body, headers=t.auth())
    assert error(response) == expected


async def test_members_cannot_create_projects(t: Tenants) -> None:
    response = await t.client.post(
        f"/api/organizations/{t.org_id}/projects/", json={"name": "X"}, headers=t.auth(t.member_key)
    )
    assert error(response)[:2] == (403, "permission_denied")


async def test_project_retrieve_and_patch(t: Tenants) -> None:
    url = f"/api/projects/{t.world.project_id}/"
    got = (await t.client.get(url, headers=t.auth(t.member_key))).json()
    assert (got["id"], got["api_token"], got["timezone"]) == (t.world.project_id, t.world.project_api_key, "UTC")
    patched = await t.client.patch(url, json={"name": "Web", "timezone": "America/New_York"}, headers=t.auth())
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["timezone"]) == ("Web", "America/New_York")
    assert (await t.client.get(url, headers=t.auth())).json()["timezone"] == "America/New_York"
    bad = await t.client.patch(url, json={"timezone": "Nowhere"}, headers=t.auth())
    assert error(bad) == (400, "invalid_choice", "timezone")
    assert error(await t.client.patch(url, json={"name": 1}, headers=t.auth()))[:2] == (400, "invalid_input")
    member = await t.client.patch(url, json={"name": "Mine"}, headers=t.auth(t.member_key))
    assert error(member)[:2] == (403, "permission_denied")
    assert (await t.client.get("/api/projects/@current/", headers=t.auth())).json()["name"] == "Web"


async def test_reset_token_retires_the_old_token_at_once(t: Tenants) -> None:
    old = t.world.project_api_key
    before = await t.client.post("/flags?v=2", json={"token": old, "distinct_id": "u"})
    assert before.status_code == 200  # the old token is in the credential cache now
    rotated = await t.client.patch(f"/api/projects/{t.world.project_id}/reset_token/", headers=t.auth())
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["api_token"]
    assert new.startswith("phc_")
    assert new != old
    assert (await t.client.post("/flags?v=2", json={"token": old, "distinct_id": "u"})).status_code == 401
    assert (await t.client.post("/flags?v=2", json={"token": new, "distinct_id": "u"})).status_code == 200
    feed = await t.client.get(f"/api/feature_flag/local_evaluation?token={old}", headers=t.auth(t.world.secret_key))
    assert feed.status_code == 401
    member = await t.client.patch(f"/api/projects/{t.world.project_id}/reset_token/", headers=t.auth(t.member_key))
    assert error(member)[:2] == (403, "permission_denied")


async def test_secret_keys_minted_once_listed_masked_and_revoked(t: Tenants) -> None:
    url = f"/api/projects/{t.world.project_id}/project_secret_api_keys/"
    minted = await t.client.post(url, json={"label": "ci"}, headers=t.auth())
    assert minted.status_code == 201, minted.text
    key = minted.json()
    assert key["value"].startswith("phs_")
    assert key["mask_value"] == f"{key['value'][:4]}...{key['value'][-4:]}"
    listed = (await t.client.get(url, headers=t.auth())).json()
    assert {k["label"]: k["value"] for k in listed} == {"Default secret key": None, "ci": None}
    feed_url = f"/api/projects/{t.world.project_id}/feature_flags/local_evaluation"
    assert (await t.client.get(feed_url, headers=t.auth(key["value"]))).status_code == 200
    revoked = await t.client.delete(f"{url}{key['id']}/", headers=t.auth())
    assert revoked.status_code == 204
    assert error(await t.client.get(feed_url, headers=t.auth(key["value"])))[0] == 401
    assert error(await t.client.delete(f"{url}{key['id']}/", headers=t.auth()))[0] == 404
    assert error(await t.client.post(url, json={"label": ""}, headers=t.auth())) == (400, "blank", "label")
    assert error(await t.client.post(url, json={"label": "x" * 41}, headers=t.auth())) == (400, "max_length", "label")
    assert error(await t.client.get(url, headers=t.auth(t.member_key)))[:2] == (403, "permission_denied")
    other = f"/api/projects/{t.project_b}/project_secret_api_keys/{listed[0]['id']}/"
    assert error(await t.client.delete(other, headers=t.auth()))[0] == 404  # project A's key through project B
