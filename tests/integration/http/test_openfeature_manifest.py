"""The manifest sync API (``/openfeature/v0/manifest``) over memory, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.http.conftest import World

MANIFEST = "/openfeature/v0/manifest"
FLAGS = f"{MANIFEST}/flags"


def flag(key: str, flag_type: str, default: Any, description: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"key": key, "type": flag_type, "defaultValue": default}
    if description is not None:
        body["description"] = description
    return body


async def manifest(world: World, key: str | None = None, **params: Any) -> dict[str, Any]:
    response = await world.client.get(MANIFEST, headers=world.auth(key), params=params)
    assert response.status_code == 200, response.text
    assert response.headers["x-manifest-capabilities"] == "read,write,delete"
    return response.json()  # type: ignore[no-any-return]


ALL_TYPES = [
    flag("dark-mode", "boolean", True, "Dark mode"),
    flag("off-switch", "boolean", False),
    flag("theme", "string", "blue", "Theme colour"),
    flag("max-items", "integer", 42),
    flag("ratio", "float", 1.0),
    flag("layout", "object", {"columns": 3, "sidebar": True}),
]


async def test_created_flags_come_back_with_type_default_and_description(world: World) -> None:
    for body in ALL_TYPES:
        response = await world.client.post(FLAGS, json=body, headers=world.auth())
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["flag"]["key"] == body["key"]
        assert created["flag"]["defaultValue"] == body["defaultValue"]
        assert "updatedAt" in created
    pulled = (await manifest(world))["flags"]
    by_key = {f["key"]: f for f in pulled}
    for body in ALL_TYPES:
        got = by_key[body["key"]]
        assert (got["type"], got["defaultValue"], got["description"]) == (
            body["type"],
            body["defaultValue"],
            body.get("description", ""),
        )
    assert isinstance(by_key["ratio"]["defaultValue"], float)


async def test_a_created_flag_evaluates_to_its_default(world: World) -> None:
    for body in ALL_TYPES:
        assert (await world.client.post(FLAGS, json=body, headers=world.auth())).status_code == 201
    ofrep = await world.client.post(
        "/ofrep/v1/evaluate/flags",
        json={"context": {"targetingKey": "user-1"}},
        headers={"Authorization": f"Bearer {world.project_api_key}"},
    )
    assert ofrep.status_code == 200, ofrep.text
    values = {item["key"]: item.get("value") for item in ofrep.json()["flags"]}
    assert values == {b["key"]: b["defaultValue"] for b in ALL_TYPES}
    stored = (await world.client.get(world.url(), headers=world.auth())).json()["results"]
    theme = next(f for f in stored if f["key"] == "theme")
    assert theme["filters"]["multivariate"]["variants"] == [{"key": "blue", "rollout_percentage": 100}]
    assert theme["name"] == "Theme colour"


async def test_variants_split_equally_with_the_remainder_first(world: World) -> None:
    body = flag("three", "string", "a") | {"variants": ["b", "c"]}
    assert (await world.client.post(FLAGS, json=body, headers=world.auth())).status_code == 201
    stored = (await world.client.get(world.url(), headers=world.auth())).json()["results"][0]
    weights = [(v["key"], v["rollout_percentage"]) for v in stored["filters"]["multivariate"]["variants"]]
    assert weights == [("a", 34), ("b", 33), ("c", 33)]


async def test_put_keeps_targeting_and_an_unchanged_push_writes_nothing(world: World) -> None:
    assert (
        await world.client.post(FLAGS, json=flag("beta", "boolean", False), headers=world.auth())
    ).status_code == 201
    stored = (await world.client.get(world.url(), headers=world.auth())).json()["results"][0]
    targeting = {
        "groups": [{"properties": [{"key": "plan", "value": ["pro"], "operator": "exact"}], "rollout_percentage": 30}]
    }
    patched = await world.client.patch(world.url(f"{stored['id']}"), json={"filters": targeting}, headers=world.auth())
    assert patched.status_code == 200, patched.text
    version = patched.json()["version"]
    response = await world.client.put(
        f"{FLAGS}/beta", json=flag("beta", "boolean", True, "Now described"), headers=world.auth()
    )
    assert response.status_code == 200, response.text
    after = (await world.client.get(world.url(f"{stored['id']}"), headers=world.auth())).json()
    assert after["filters"]["groups"] == patched.json()["filters"]["groups"]  # targeting kept
    assert after["name"] == "Now described"
    assert (await manifest(world))["flags"][0]["defaultValue"] is True
    # pull -> push of the same manifest: no new version
    pulled = (await manifest(world))["flags"]
    sync = await world.client.post(f"{MANIFEST}/sync", json={"flags": pulled_to_write(pulled)}, headers=world.auth())
    assert sync.status_code == 200, sync.text
    assert sync.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 1, "archived": 0}
    again = (await world.client.get(world.url(f"{stored['id']}"), headers=world.auth())).json()
    assert again["version"] == version + 1  # only the PUT's description change
    for body in pulled_to_write(pulled):
        assert (await world.client.put(f"{FLAGS}/{body['key']}", json=body, headers=world.auth())).status_code == 200
    assert (await world.client.get(world.url(f"{stored['id']}"), headers=world.auth())).json()["version"] == version + 1


def pulled_to_write(pulled: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [flag(f["key"], f["type"], f["defaultValue"], f["description"]) for f in pulled]


async def test_sync_dry_run_reports_and_writes_nothing(world: World) -> None:
    body = {"flags": [flag("a", "boolean", True), flag("b", "integer", 3)], "dryRun": True}
    response = await world.client.post(f"{MANIFEST}/sync", json=body, headers=world.auth())
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["created"] == 2
    assert (await manifest(world))["flags"] == []
    real = await world.client.post(f"{MANIFEST}/sync", json=body | {"dryRun": False}, headers=world.auth())
    assert real.json()["summary"]["created"] == 2
    assert len((await manifest(world))["flags"]) == 2
    pruned = await world.client.post(
        f"{MANIFEST}/sync", json={"flags": [flag("a", "boolean", True)], "prune": True}, headers=world.auth()
    )
    assert pruned.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 1, "archived": 1}
    assert [f["key"] for f in (await manifest(world))["flags"]] == ["a"]


async def test_sync_is_one_transaction(world: World) -> None:
    body = {"flags": [flag("good", "boolean", True), flag("bad", "integer", "not a number")]}
    response = await world.client.post(f"{MANIFEST}/sync", json=body, headers=world.auth())
    assert response.status_code == 400
    assert (await manifest(world))["flags"] == []  # the good one was rolled back too


async def test_delete_archives(world: World) -> None:
    assert (await world.client.post(FLAGS, json=flag("gone", "boolean", True), headers=world.auth())).status_code == 201
    response = await world.client.delete(f"{FLAGS}/gone", headers=world.auth())
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"message", "archivedAt"}
    assert (await manifest(world))["flags"] == []
    assert (await world.client.delete(f"{FLAGS}/gone", headers=world.auth())).status_code == 404
    listed = await world.client.get(world.url(), headers=world.auth(), params={"deleted": "true"})
    assert listed.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (flag("x", "integer", 1.5), 400, "defaultValue"),
        (flag("x", "boolean", "yes"), 400, "defaultValue"),
        (flag("x", "string", "has spaces"), 400, "defaultValue"),
        (flag("bad key!", "boolean", True), 400, "key"),
        ({"key": "x", "type": "number", "defaultValue": 1}, 400, None),
        ({"key": "x", "type": "boolean"}, 400, None),
        (flag("x", "boolean", True) | {"extra": 1}, 400, None),
        ([1, 2], 400, None),
    ],
)
async def test_bad_input_is_400_in_the_sync_envelope(
    world: World,
    body: Any,
    status: int,
    field: str | None,
) -> None:
    response = await world.client.post(FLAGS, json=body, headers=world.auth())
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str)
    if field is not None:
        assert error["details"][0]["field"] == field


async def test_conflicts_and_missing_flags(world: World) -> None:
    assert (await world.client.post(FLAGS, json=flag("k", "string", "v"), headers=world.auth())).status_code == 201
    duplicate = await world.client.post(FLAGS, json=flag("k", "string", "v"), headers=world.auth())
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["status"] == 409
    type_change = await world.client.put(f"{FLAGS}/k", json=flag("k", "integer", 1), headers=world.auth())
    assert type_change.status_code == 409
    mismatch = await world.client.put(f"{FLAGS}/k", json=flag("other", "string", "v"), headers=world.auth())
    assert mismatch.status_code == 400
    missing = await world.client.put(f"{FLAGS}/nope", json=flag("nope", "string", "v"), headers=world.auth())
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == 404


async def test_auth_scopes_and_tenancy(world: World) -> None:
    unauthenticated = await world.client.get(MANIFEST)
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["status"] == 401
    read_only = await world.client.post(FLAGS, json=flag("k", "boolean", True), headers=world.auth(world.read_key))
    assert read_only.status_code == 403
    assert (await manifest(world, world.read_key))["flags"] == []
    # Another organization's project answers 404 like a missing one, for reads and writes.
    for params in ({"project_id": str(world.other_project_id)}, {"project_id": "999999"}):
        stranger = await world.client.get(MANIFEST, headers=world.auth(), params=params)
        assert stranger.status_code == 404
        write = await world.client.post(FLAGS, json=flag("k", "boolean", True), headers=world.auth(), params=params)
        assert write.status_code == 404
    # The other organization's member sees only their own project's manifest.
    assert (await world.client.post(FLAGS, json=flag("mine", "boolean", True), headers=world.auth())).status_code == 201
    theirs = await world.client.get(MANIFEST, headers=world.auth(world.other_key))
    assert theirs.status_code == 200
    assert theirs.json()["flags"] == []
    named = await world.client.get(MANIFEST, headers=world.auth(), params={"project_id": str(world.project_id)})
    assert [f["key"] for f in named.json()["flags"]] == ["mine"]


async def test_manifest_writes_pass_the_approval_gate(world: World) -> None:
    """Archiving an active flag disables it: a disable policy stops the whole sync (nothing of it applied) and
    leaves one change request, as a PATCH would; the single-flag archive then finds that request pending."""
    created = await world.client.post(FLAGS, json=flag("gated-switch", "boolean", True), headers=world.auth())
    assert created.status_code == 201, created.text
    policy = await world.client.post(
        f"/api/projects/{world.project_id}/approval_policies/",
        json={"action_key": "feature_flag.disable", "approver_config": {"quorum": 1, "users": []}},
        headers=world.auth(),
    )
    assert policy.status_code == 201, policy.text
    sync = await world.client.post(
        f"{MANIFEST}/sync", json={"flags": [flag("gated-new", "boolean", False)], "prune": True}, headers=world.auth()
    )
    assert sync.status_code == 409, sync.text
    assert sync.json()["error"]["status"] == 409
    # A dry run of the same sync says so, change by change, and stores no second change request.
    dry = await world.client.post(
        f"{MANIFEST}/sync",
        json={"flags": [flag("gated-new", "boolean", False)], "prune": True, "dryRun": True},
        headers=world.auth(),
    )
    assert dry.status_code == 200, dry.text
    outcomes = {c["key"]: (c["outcome"], c.get("approvalRequired", False)) for c in dry.json()["changes"]}
    assert outcomes == {"gated-new": ("created", False), "gated-switch": ("archived", True)}
    assert dry.json()["summary"]["approvalRequired"] == 1
    keys = {f["key"] for f in (await manifest(world))["flags"]}
    assert "gated-switch" in keys
    assert "gated-new" not in keys
    requests_url = f"/api/projects/{world.project_id}/change_requests/"
    requests = (await world.client.get(requests_url, headers=world.auth())).json()["results"]
    assert [(r["action_key"], r["state"]) for r in requests] == [("feature_flag.disable", "pending")]
    archived = await world.client.delete(f"{FLAGS}/gated-switch", headers=world.auth())
    assert archived.status_code == 409, archived.text
    assert len((await world.client.get(requests_url, headers=world.auth())).json()["results"]) == 1
