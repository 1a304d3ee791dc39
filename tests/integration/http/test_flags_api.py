from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.integration.http.conftest import World

BOOLEAN_FILTERS: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 50}]}
MULTIVARIATE_FILTERS: dict[str, Any] = {
    "groups": [{"properties": [], "rollout_percentage": 100}],
    "multivariate": {
        "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]
    },
    "payloads": {"test": {"color": "blue"}},
}


async def create(world: World, key: str, **fields: Any) -> dict[str, Any]:
    body = {"key": key, "filters": BOOLEAN_FILTERS, **fields}
    response = await world.client.post(world.url(), json=body, headers=world.auth())
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def error(response: Any) -> tuple[int, str, str, str | None]:
    body = response.json()
    assert set(body) == {"type", "code", "detail", "attr"}, body
    return response.status_code, body["type"], body["code"], body["attr"]


# --- create -------------------------------------------------------------------------------------------------------


async def test_create_returns_201_with_version_1_and_the_stored_flag(world: World) -> None:
    flag = await create(world, "new-checkout", name="New checkout")
    assert flag["version"] == 1
    assert flag["key"] == "new-checkout"
    assert flag["name"] == "New checkout"
    assert flag["active"] is True
    assert flag["deleted"] is False
    assert flag["filters"]["groups"] == [{"properties": [], "rollout_percentage": 50.0, "variant": None}]
    assert flag["created_by"]["email"] == "admin@flagcore.local"
    assert flag["evaluation_runtime"] == "all"
    fetched = await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())
    assert fetched.json() == flag


async def test_create_multivariate_stores_payloads_as_json_strings(world: World) -> None:
    flag = await create(world, "mv", filters=MULTIVARIATE_FILTERS)
    assert flag["filters"]["payloads"] == {"test": '{"color":"blue"}'}
    assert [v["key"] for v in flag["filters"]["multivariate"]["variants"]] == ["control", "test"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"filters": BOOLEAN_FILTERS}, (400, "validation_error", "required", "key")),
        ({"key": "has space", "filters": BOOLEAN_FILTERS}, (400, "validation_error", "invalid_key", "key")),
        ({"key": "k" * 401, "filters": BOOLEAN_FILTERS}, (400, "validation_error", "max_length", "key")),
        ({"key": 5}, (400, "validation_error", "invalid_input", "key")),
        ({"key": "x", "active": "yes"}, (400, "validation_error", "invalid_input", "active")),
        ({"key": "x", "evaluation_runtime": "edge"}, (400, "validation_error", "invalid_choice", "evaluation_runtime")),
        ({"key": "x", "bogus": 1}, (400, "validation_error", "unknown_field", "bogus")),
        ({"key": "x", "filters": {"groups": []}}, (400, "validation_error", "invalid_input", "filters")),
        ({"key": "x", "filters": "nope"}, (400, "validation_error", "invalid_input", "filters")),
        (
            {"key": "x", "filters": {"groups": [{"rollout_percentage": 101}]}},
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {"key": "x", "filters": {"groups": [{"rollout_percentage": -1}]}},
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {
                "key": "x",
                "filters": {"groups": [{}], "multivariate": {"variants": [{"key": "a", "rollout_percentage": 60}]}},
            },
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {
                "key": "x",
                "filters": {
                    "groups": [{}],
                    "multivariate": {
                        "variants": [{"key": "a", "rollout_percentage": 50}, {"key": "a", "rollout_percentage": 50}]
                    },
                },
            },
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {
                "key": "x",
                "filters": {"groups": [{}], "multivariate": {"variants": [{"key": "a b", "rollout_percentage": 100}]}},
            },
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {"key": "x", "filters": {"groups": [{"variant": "ghost"}]}},
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {"key": "x", "filters": {"groups": [{}], "payloads": {"false": "1"}}},
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {"key": "x", "filters": {"groups": [{}], "payloads": {"true": "{not json"}}},
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {
                "key": "x",
                "filters": {"groups": [{"properties": [{"key": "a", "type": "group", "group_type_index": 0}]}]},
            },
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {"key": "x", "filters": {"groups": [{"properties": [{"key": "a", "operator": "regex", "value": 5}]}]}},
            (400, "validation_error", "invalid_value", "filters"),
        ),
        (
            {"key": "x", "filters": {"groups": [{"properties": [{"key": "a", "operator": "in", "value": 5}]}]}},
            (400, "validation_error", "invalid_operator", "filters"),
        ),
        (
            {"key": "x", "filters": {"groups": [{"properties": [{"key": "a", "operator": "wat", "value": 5}]}]}},
            (400, "validation_error", "invalid_operator", "filters"),
        ),
        (
            {
                "key": "x",
                "filters": {"groups": [{"properties": [{"key": "d", "operator": "is_date_before", "value": "soon"}]}]},
            },
            (400, "validation_error", "invalid_date", "filters"),
        ),
        (
            {
                "key": "x",
                "filters": {
                    "groups": [
                        {
                            "properties": [
                                {"key": "flag-key", "type": "flag", "operator": "flag_evaluates_to", "value": True}
                            ]
                        }
                    ]
                },
            },
            (400, "validation_error", "invalid_input", "filters"),
        ),
        (
            {
                "key": "x",
                "filters": {
                    "groups": [
                        {"properties": [{"key": "999", "type": "flag", "operator": "flag_evaluates_to", "value": True}]}
                    ]
                },
            },
            (400, "validation_error", "invalid_input", "filters"),
        ),
        ({"key": "x", "tags": ["a"], "evaluation_tags": ["b"]}, (400, "validation_error", "invalid_input", None)),
        ({"key": "x", "deleted": True}, (400, "validation_error", "invalid_input", "deleted")),
    ],
)
async def test_create_rejects_bad_input_with_posthog_error_body(
    world: World, body: dict[str, Any], expected: tuple[int, str, str, str | None]
) -> None:
    response = await world.client.post(world.url(), json=body, headers=world.auth())
    assert error(response) == expected
    listing = await world.client.get(world.url(), headers=world.auth())
    assert listing.json()["count"] == 0  # nothing was stored


@pytest.mark.parametrize("raw", [b"{bad json", b"[1, 2]", b"null", b'"text"', b"\xff\xfe"])
async def test_create_rejects_malformed_bodies(world: World, raw: bytes) -> None:
    response = await world.client.post(
        world.url(), content=raw, headers={**world.auth(), "Content-Type": "application/json"}
    )
    status, error_type, _, _ = error(response)
    assert status == 400
    assert error_type in {"invalid_request", "validation_error"}


async def test_duplicate_key_is_refused_but_a_soft_deleted_key_can_be_reused(world: World) -> None:
    first = await create(world, "dup")
    response = await world.client.post(
        world.url(), json={"key": "dup", "filters": BOOLEAN_FILTERS}, headers=world.auth()
    )
    assert error(response) == (400, "validation_error", "unique", "key")
    assert response.json()["detail"] == "There is already a feature flag with this key."
    await world.client.patch(world.url(f"{first['id']}/"), json={"deleted": True}, headers=world.auth())
    second = await create(world, "dup")
    assert second["id"] != first["id"]


async def test_create_without_filters_stores_an_empty_definition(world: World) -> None:
    response = await world.client.post(world.url(), json={"key": "bare"}, headers=world.auth())
    assert response.status_code == 201
    assert response.json()["filters"] == {"groups": [], "multivariate": None, "payloads": {}}


# --- flag dependencies ----------------------------------------------------------------------------------------------


def depends_on(flag_id: int | str) -> dict[str, Any]:
    prop = {"key": str(flag_id), "type": "flag", "operator": "flag_evaluates_to", "value": True}
    return {"groups": [{"properties": [prop], "rollout_percentage": 100}]}


async def test_dependencies_must_be_active_and_acyclic(world: World) -> None:
    base = await create(world, "base")
    child = await create(world, "child", filters=depends_on(base["id"]))
    # a -> b -> a
    cycle = await world.client.patch(
        world.url(f"{base['id']}/"), json={"filters": depends_on(child["id"])}, headers=world.auth()
    )
    assert error(cycle)[:3] == (400, "validation_error", "invalid_input")
    assert cycle.json()["detail"] == "Circular dependency detected: base → child → base"
    itself = await world.client.patch(
        world.url(f"{base['id']}/"), json={"filters": depends_on(base["id"])}, headers=world.auth()
    )
    assert itself.json()["detail"] == "Feature flag 'base' cannot depend on itself"
    disable = await world.client.patch(world.url(f"{base['id']}/"), json={"active": False}, headers=world.auth())
    assert error(disable) == (400, "validation_error", "invalid_input", None)
    assert "other flags depend on it: child" in disable.json()["detail"]
    delete = await world.client.patch(world.url(f"{base['id']}/"), json={"deleted": True}, headers=world.auth())
    assert "Cannot delete this feature flag" in delete.json()["detail"]


async def test_dependency_on_disabled_flag_is_refused(world: World) -> None:
    off = await create(world, "off", active=False)
    response = await world.client.post(
        world.url(), json={"key": "needs-off", "filters": depends_on(off["id"])}, headers=world.auth()
    )
    assert "Cannot create dependency on disabled flag 'off'" in response.json()["detail"]


# --- retrieve / list ------------------------------------------------------------------------------------------------


async def test_retrieve_unknown_or_foreign_flag_is_404(world: World) -> None:
    response = await world.client.get(world.url("12345/"), headers=world.auth())
    assert error(response) == (404, "invalid_request", "not_found", None)
    other = await world.client.post(
        world.url(project=world.other_project_id),
        json={"key": "theirs", "filters": BOOLEAN_FILTERS},
        headers=world.auth(world.other_key),
    )
    assert other.status_code == 201
    leaked = await world.client.get(world.url(f"{other.json()['id']}/"), headers=world.auth())
    assert leaked.status_code == 404


async def test_trailing_slash_and_current_project_are_equivalent(world: World) -> None:
    flag = await create(world, "slashes")
    for path in (world.url(str(flag["id"])), world.url(f"{flag['id']}/"), world.url(f"{flag['id']}/", "@current")):
        response = await world.client.get(path, headers=world.auth())
        assert response.status_code == 200, path
        assert response.json()["id"] == flag["id"]
    listing = await world.client.get(world.url().rstrip("/"), headers=world.auth())
    assert listing.json()["count"] == 1


async def test_list_pages_with_count_next_previous(world: World) -> None:
    for i in range(5):
        await create(world, f"flag-{i}")
    first = (await world.client.get(world.url() + "?limit=2", headers=world.auth())).json()
    assert first["count"] == 5
    assert [f["key"] for f in first["results"]] == ["flag-4", "flag-3"]  # newest first
    assert first["previous"] is None
    assert "offset=2" in first["next"]
    assert first["next"].startswith("http")
    last = (await world.client.get(world.url() + "?limit=2&offset=4", headers=world.auth())).json()
    assert [f["key"] for f in last["results"]] == ["flag-0"]
    assert last["next"] is None
    assert "offset=2" in last["previous"]


async def test_list_filters(world: World) -> None:
    await create(world, "alpha-bool", name="Checkout Button")
    await create(world, "beta-mv", filters=MULTIVARIATE_FILTERS, evaluation_runtime="server")
    await create(world, "gamma-off", active=False, evaluation_runtime="client")
    await create(world, "remote", is_remote_configuration=True, filters={"groups": [{}], "payloads": {"true": "1"}})
    deleted = await create(world, "deleted-one")
    await world.client.patch(world.url(f"{deleted['id']}/"), json={"deleted": True}, headers=world.auth())

    async def keys(query: str) -> list[str]:
        response = await world.client.get(world.url() + query, headers=world.auth())
        assert response.status_code == 200, response.text
        return sorted(f["key"] for f in response.json()["results"])

    assert await keys("") == ["alpha-bool", "beta-mv", "gamma-off", "remote"]
    assert await keys("?active=false") == ["gamma-off"]
    assert await keys("?active=true") == ["alpha-bool", "beta-mv", "remote"]
    assert await keys("?search=CHECKOUT") == ["alpha-bool"]
    assert await keys("?search=BETA") == ["beta-mv"]
    assert await keys("?type=multivariant") == ["beta-mv"]
    assert await keys("?type=boolean") == ["alpha-bool", "gamma-off", "remote"]
    assert await keys("?type=remote_config") == ["remote"]
    assert await keys("?evaluation_runtime=server") == ["beta-mv"]
    assert await keys("?evaluation_runtime=both") == ["alpha-bool", "remote"]
    assert await keys(f"?created_by_id={world.user_id}") == ["alpha-bool", "beta-mv", "gamma-off", "remote"]
    assert await keys("?created_by_id=999") == []
    assert await keys("?order=key&limit=1") == ["alpha-bool"]


@pytest.mark.parametrize(
    "query", ["active=maybe", "type=experiment-ish", "evaluation_runtime=edge", "order=password", "created_by_id=x"]
)
async def test_list_rejects_meaningless_filters(world: World, query: str) -> None:
    response = await world.client.get(world.url() + "?" + query, headers=world.auth())
    assert error(response)[0] == 400


# --- update ---------------------------------------------------------------------------------------------------------


async def test_patch_increments_version_and_records_modifier(world: World) -> None:
    flag = await create(world, "editable")
    response = await world.client.patch(world.url(f"{flag['id']}/"), json={"name": "Renamed"}, headers=world.auth())
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert body["name"] == "Renamed"
    assert body["filters"] == flag["filters"]
    assert body["last_modified_by"]["email"] == "admin@flagcore.local"
    assert body["updated_at"] is not None


async def test_stale_version_gets_posthog_409(world: World) -> None:
    flag = await create(world, "contested")
    ok = await world.client.patch(world.url(f"{flag['id']}/"), json={"name": "a", "version": 1}, headers=world.auth())
    assert ok.json()["version"] == 2
    stale = await world.client.patch(
        world.url(f"{flag['id']}/"), json={"name": "b", "version": 1}, headers=world.auth()
    )
    assert stale.status_code == 409
    assert stale.json() == {
        "type": "server_error",
        "code": "conflict",
        "detail": "The feature flag was updated by admin@flagcore.local since you started editing it. "
        "Please refresh and try again.",
        "attr": None,
    }
    current = await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())
    assert current.json()["name"] == "a"


async def test_patch_filters_merges_key_by_key(world: World) -> None:
    flag = await create(world, "merge")
    response = await world.client.patch(
        world.url(f"{flag['id']}/"), json={"filters": {"payloads": {"true": "42"}}}, headers=world.auth()
    )
    assert response.json()["filters"]["groups"] == flag["filters"]["groups"]
    assert response.json()["filters"]["payloads"] == {"true": "42"}
    cleared = await world.client.patch(
        world.url(f"{flag['id']}/"), json={"filters": {"groups": []}}, headers=world.auth()
    )
    assert cleared.json()["filters"]["groups"] == []


async def test_put_requires_key_and_replaces_filters(world: World) -> None:
    flag = await create(world, "put-me", filters={**BOOLEAN_FILTERS, "payloads": {"true": "1"}})
    missing = await world.client.put(world.url(f"{flag['id']}/"), json={"name": "x"}, headers=world.auth())
    assert error(missing) == (400, "validation_error", "required", "key")
    replaced = await world.client.put(
        world.url(f"{flag['id']}/"),
        json={"key": "put-me-2", "filters": {"groups": [{"rollout_percentage": 10}]}},
        headers=world.auth(),
    )
    assert replaced.status_code == 200
    assert replaced.json()["key"] == "put-me-2"
    assert replaced.json()["filters"]["payloads"] == {}


async def test_put_accepts_a_flag_echoed_back_from_get(world: World) -> None:
    flag = await create(world, "echo")
    echoed = {**flag, "name": "Echoed"}
    response = await world.client.put(world.url(f"{flag['id']}/"), json=echoed, headers=world.auth())
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Echoed"


async def test_soft_delete_hides_and_restore_brings_back(world: World) -> None:
    flag = await create(world, "phoenix")
    gone = await world.client.patch(world.url(f"{flag['id']}/"), json={"deleted": True}, headers=world.auth())
    assert gone.json()["deleted"] is True
    assert (await world.client.get(world.url(), headers=world.auth())).json()["count"] == 0
    still_addressable = await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())
    assert still_addressable.json()["deleted"] is True
    back = await world.client.patch(world.url(f"{flag['id']}/"), json={"deleted": False}, headers=world.auth())
    assert back.json()["deleted"] is False
    assert (await world.client.get(world.url(), headers=world.auth())).json()["count"] == 1


async def test_restore_collides_with_a_reused_key(world: World) -> None:
    old = await create(world, "reused")
    await world.client.patch(world.url(f"{old['id']}/"), json={"deleted": True}, headers=world.auth())
    await create(world, "reused")
    response = await world.client.patch(world.url(f"{old['id']}/"), json={"deleted": False}, headers=world.auth())
    assert error(response) == (400, "validation_error", "unique", "key")


async def test_delete_is_always_405_with_posthogs_body(world: World) -> None:
    """DELETE answers PostHog's 405 (issue 17: it used to send an empty body labelled application/json)."""
    flag = await create(world, "undeletable")
    response = await world.client.delete(world.url(f"{flag['id']}/"), headers=world.auth())
    assert response.status_code == 405
    assert response.json() == {
        "type": "invalid_request",
        "code": "method_not_allowed",
        "detail": 'Method "DELETE" not allowed.',
        "attr": None,
    }
    assert response.headers["content-type"] == "application/json"
    assert response.headers["allow"] == "GET, PUT, PATCH, HEAD, OPTIONS"
    assert (await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())).json()["deleted"] is False


async def test_update_unknown_flag_is_404(world: World) -> None:
    response = await world.client.patch(world.url("999/"), json={"name": "x"}, headers=world.auth())
    assert error(response) == (404, "invalid_request", "not_found", None)


async def test_concurrent_writers_with_one_version_exactly_one_wins(world: World) -> None:
    flag = await create(world, "race")
    responses = await asyncio.gather(
        *(
            world.client.patch(world.url(f"{flag['id']}/"), json={"name": f"w{i}", "version": 1}, headers=world.auth())
            for i in range(8)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    final = (await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())).json()
    assert final["version"] == 2


async def test_concurrent_unversioned_writers_lose_no_update(world: World) -> None:
    flag = await create(world, "tags")
    responses = await asyncio.gather(
        *(
            world.client.patch(world.url(f"{flag['id']}/"), json={"name": f"n{i}"}, headers=world.auth())
            for i in range(20)
        )
    )
    assert [r.status_code for r in responses] == [200] * 20  # no version sent: never a conflict
    final = (await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())).json()
    assert final["version"] == 21


# --- authentication and authorization --------------------------------------------------------------------------------


async def test_missing_credentials_are_401(world: World) -> None:
    response = await world.client.get(world.url())
    assert error(response) == (401, "authentication_error", "not_authenticated", None)
    assert response.json()["detail"] == "Authentication credentials were not provided."


@pytest.mark.parametrize("header", ["Bearer phx_doesnotexist", "Bearer ", "Basic abc", "Bearer phs_doesnotexist"])
async def test_invalid_credentials_are_401(world: World, header: str) -> None:
    response = await world.client.get(world.url(), headers={"Authorization": header})
    assert error(response)[:2] == (401, "authentication_error")


async def test_project_secret_key_cannot_manage_flags(world: World) -> None:
    response = await world.client.get(world.url(), headers=world.auth(world.secret_key))
    assert error(response) == (403, "authentication_error", "permission_denied", None)


async def test_read_scope_can_read_but_not_write(world: World) -> None:
    assert (await world.client.get(world.url(), headers=world.auth(world.read_key))).status_code == 200
    response = await world.client.post(world.url(), json={"key": "nope"}, headers=world.auth(world.read_key))
    assert error(response) == (403, "authentication_error", "permission_denied", None)
    assert response.json()["detail"] == "API key missing required scope 'feature_flag:write'"


async def test_project_of_another_organization_is_404_like_a_missing_one(world: World) -> None:
    """Issue 17: another organization's project id answered 403 and an unused one 404, so ids could be enumerated."""
    response = await world.client.get(world.url(project=world.other_project_id), headers=world.auth())
    assert error(response) == (404, "invalid_request", "not_found", None)
    missing = await world.client.get(world.url(project=424242), headers=world.auth())
    assert response.json() == missing.json()
    write = await world.client.post(
        world.url(project=world.other_project_id), json={"key": "intrude"}, headers=world.auth()
    )
    assert write.status_code == 404


@pytest.mark.parametrize("project", ["424242", "not-a-number", "%40other"])
async def test_unknown_project_is_404(world: World, project: str) -> None:
    response = await world.client.get(world.url(project=project), headers=world.auth())
    assert error(response) == (404, "invalid_request", "not_found", None)


@pytest.mark.parametrize(
    ("query", "attr", "code", "detail"),
    [
        ("limit=abc", "limit", "invalid", "A valid integer is required."),
        ("limit=1.5", "limit", "invalid", "A valid integer is required."),
        ("limit=%C2%B2", "limit", "invalid", "A valid integer is required."),
        ("limit=-1", "limit", "min_value", "Ensure this value is greater than or equal to 1."),
        ("limit=0", "limit", "min_value", "Ensure this value is greater than or equal to 1."),
        ("limit=1001", "limit", "max_value", "Ensure this value is less than or equal to 1000."),
        ("offset=-1", "offset", "min_value", "Ensure this value is greater than or equal to 0."),
        ("offset=x", "offset", "invalid", "A valid integer is required."),
        ("offset=99999999999999999999", "offset", "invalid", "A valid integer is required."),
    ],
)
async def test_pagination_parameters_are_validated(world: World, query: str, attr: str, code: str, detail: str) -> None:
    response = await world.client.get(world.url() + "?" + query, headers=world.auth())
    assert response.status_code == 400
    assert response.json() == {"type": "validation_error", "code": code, "detail": detail, "attr": attr}


async def test_pagination_bounds_and_defaults(world: World) -> None:
    for key in ("a", "b", "c"):
        await world.client.post(world.url(), json={"key": key}, headers=world.auth())
    # "%1F" (a control separator) around a number is stripped, as whitespace is (found by the list fuzz test)
    for query in ("", "?limit=", "?limit=1000", "?limit=1&offset=0", "?offset=0", "?limit=2%1F", "?limit=%20%1F1"):
        response = await world.client.get(world.url() + query, headers=world.auth())
        assert response.status_code == 200, (query, response.text)
    assert len((await world.client.get(world.url() + "?limit=1", headers=world.auth())).json()["results"]) == 1
    beyond = (await world.client.get(world.url() + "?offset=50", headers=world.auth())).json()
    assert (beyond["count"], beyond["results"]) == (3, [])


@pytest.mark.parametrize("slash", ["/", ""])
async def test_page_links_keep_the_requested_path(world: World, slash: str) -> None:
    for key in ("a", "b", "c"):
        await world.client.post(world.url(), json={"key": key}, headers=world.auth())
    path = f"/api/projects/@current/feature_flags{slash}"
    page = (await world.client.get(f"{path}?limit=1&offset=1&search=", headers=world.auth())).json()
    assert page["next"].startswith(f"http://testserver.local{path}?")
    assert page["previous"].startswith(f"http://testserver.local{path}?")
    assert "offset=2" in page["next"]
    followed = await world.client.get(page["next"], headers=world.auth())
    assert followed.status_code == 200
    assert followed.json()["previous"] == page["next"].replace("offset=2", "offset=1")
