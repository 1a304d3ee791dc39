"""OFREP (``/ofrep/v1/evaluate/flags[/{key}]``) over memory, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.http.conftest import World

SINGLE = "/ofrep/v1/evaluate/flags/{}"
BULK = "/ofrep/v1/evaluate/flags"

FLAGS: list[dict[str, Any]] = [
    {"key": "on", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}},
    {
        "key": "pro",
        "filters": {"groups": [{"properties": [{"key": "plan", "value": ["pro"], "operator": "exact"}]}]},
    },
    {"key": "off", "active": False, "filters": {"groups": [{"rollout_percentage": 100}]}},
    {
        "key": "split",
        "filters": {
            "groups": [{"properties": [], "rollout_percentage": 100}],
            "multivariate": {
                "variants": [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]
            },
        },
    },
    {
        "key": "company",
        "filters": {
            "aggregation_group_type_index": 0,
            "groups": [
                {
                    "properties": [
                        {"key": "seats", "value": 10, "operator": "gte", "type": "group", "group_type_index": 0}
                    ],
                    "rollout_percentage": 100,
                }
            ],
        },
    },
]


async def seed(world: World) -> None:
    assert (
        await world.client.post(
            "/api/projects/@current/groups_types/", json={"group_type": "company"}, headers=world.auth()
        )
    ).status_code == 201
    for body in FLAGS:
        response = await world.client.post(world.url(), json=body, headers=world.auth())
        assert response.status_code == 201, response.text
    manifest = [
        {"key": "limit", "type": "integer", "defaultValue": 7},
        {"key": "ratio", "type": "float", "defaultValue": 2.0},
        {"key": "layout", "type": "object", "defaultValue": {"cols": 2}},
        {"key": "colour", "type": "string", "defaultValue": "red"},
    ]
    for body in manifest:
        response = await world.client.post("/openfeature/v0/manifest/flags", json=body, headers=world.auth())
        assert response.status_code == 201, response.text


def token(world: World, how: str = "bearer") -> dict[str, str]:
    if how == "x-api-key":
        return {"X-API-Key": world.project_api_key}
    return {"Authorization": f"Bearer {world.project_api_key}"}


async def single(world: World, key: str, context: Any, how: str = "bearer") -> tuple[int, dict[str, Any]]:
    response = await world.client.post(SINGLE.format(key), json={"context": context}, headers=token(world, how))
    assert response.headers["content-type"].startswith("application/json")
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("key", "context", "value", "reason", "variant"),
    [
        ("on", {"targetingKey": "u1"}, True, "TARGETING_MATCH", "true"),
        ("pro", {"targetingKey": "u1", "plan": "pro"}, True, "TARGETING_MATCH", "true"),
        ("pro", {"targetingKey": "u1", "plan": "free"}, False, "DEFAULT", "false"),
        ("off", {"targetingKey": "u1"}, False, "DISABLED", "false"),
        (
            "company",
            {"targetingKey": "u1", "groups": {"company": "acme"}, "group_properties": {"company": {"seats": 20}}},
            True,
            "TARGETING_MATCH",
            "true",
        ),
        (
            "company",
            {"targetingKey": "u1", "groups": {"company": "acme"}, "groupProperties": {"company": {"seats": 2}}},
            False,
            "DEFAULT",
            "false",
        ),
        ("limit", {"targetingKey": "u1"}, 7, "TARGETING_MATCH", "7"),
        ("ratio", {"targetingKey": "u1"}, 2.0, "TARGETING_MATCH", "2.0"),
        ("layout", {"targetingKey": "u1"}, {"cols": 2}, "TARGETING_MATCH", "default"),
        ("colour", {"targetingKey": "u1"}, "red", "TARGETING_MATCH", "red"),
    ],
)
async def test_single_flag_values_and_reasons(
    world: World,
    key: str,
    context: dict[str, Any],
    value: Any,
    reason: str,
    variant: str,
) -> None:
    await seed(world)
    status, body = await single(world, key, context, how="x-api-key" if key == "limit" else "bearer")
    assert status == 200, body
    assert (body["key"], body["value"], body["reason"], body["variant"]) == (key, value, reason, variant)
    assert type(body["value"]) is type(value)
    assert isinstance(body["metadata"]["flagId"], int)


async def test_split_variant_is_split_and_stable(world: World) -> None:
    await seed(world)
    seen = set()
    for i in range(20):
        status, body = await single(world, "split", {"targetingKey": f"user-{i}"})
        assert status == 200
        assert body["reason"] == "SPLIT"
        assert body["value"] == body["variant"]
        seen.add(body["value"])
    assert seen == {"a", "b"}
    again = [await single(world, "split", {"targetingKey": "user-3"}) for _ in range(2)]
    assert again[0] == again[1]


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"context": {}}, 400, "TARGETING_KEY_MISSING"),
        ({"context": {"targetingKey": ""}}, 400, "TARGETING_KEY_MISSING"),
        ({"context": {"targetingKey": 5}}, 400, "INVALID_CONTEXT"),
        ({"context": "nope"}, 400, "INVALID_CONTEXT"),
        ({}, 400, "INVALID_CONTEXT"),
        ([1], 400, "PARSE_ERROR"),
        ({"context": {"targetingKey": "u", "groups": ["x"]}}, 400, "INVALID_CONTEXT"),
        ({"context": {"targetingKey": "u", "groups": {"company": {"nested": 1}}}}, 400, "INVALID_CONTEXT"),
        ({"context": {"targetingKey": "u", "group_properties": {"company": 1}}}, 400, "INVALID_CONTEXT"),
    ],
)
async def test_single_bad_context(world: World, payload: Any, status: int, code: str) -> None:
    await seed(world)
    response = await world.client.post(SINGLE.format("on"), json=payload, headers=token(world))
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["key"], body["errorCode"]) == ("on", code)
    assert isinstance(body["errorDetails"], str)
    bulk = await world.client.post(BULK, json=payload, headers=token(world))
    assert bulk.status_code == status
    assert bulk.json()["errorCode"] == code


@pytest.mark.parametrize("raw", [b"{not json", b"[" * 5000 + b"]" * 5000, b'{"context": {"targetingKey": "\x00"}}'])
async def test_unparseable_bodies_are_parse_errors(world: World, raw: bytes) -> None:
    headers = token(world) | {"Content-Type": "application/json"}
    response = await world.client.post(SINGLE.format("on"), content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == "PARSE_ERROR"
    assert response.json()["key"] == "on"
    bulk = await world.client.post(BULK, content=raw, headers=headers)
    assert bulk.status_code == 400
    assert bulk.json()["errorCode"] == "PARSE_ERROR"


async def test_unknown_flag_is_404_flag_not_found(world: World) -> None:
    await seed(world)
    status, body = await single(world, "missing", {"targetingKey": "u1"})
    assert status == 404
    assert (body["key"], body["errorCode"]) == ("missing", "FLAG_NOT_FOUND")
    assert "missing" in body["errorDetails"]


async def test_auth_by_project_api_key_only(world: World) -> None:
    await seed(world)
    ctx = {"context": {"targetingKey": "u1"}}
    for headers in ({}, {"Authorization": "Bearer phc_wrong"}, {"X-API-Key": "phc_wrong"}, world.auth()):
        for url in (SINGLE.format("on"), BULK):
            response = await world.client.post(url, json=ctx, headers=headers)
            assert response.status_code == 401, response.text
            assert response.json()["errorCode"] == "GENERAL"


async def test_a_project_key_never_reaches_another_organizations_flags(world: World) -> None:
    await seed(world)
    theirs = await world.client.post(
        world.url(project=world.other_project_id),
        json={"key": "theirs", "filters": {"groups": [{}]}},
        headers=world.auth(world.other_key),
    )
    assert theirs.status_code == 201, theirs.text
    status, body = await single(world, "theirs", {"targetingKey": "u1"})
    assert (status, body["errorCode"]) == (404, "FLAG_NOT_FOUND")
    bulk = await world.client.post(BULK, json={"context": {"targetingKey": "u1"}}, headers=token(world))
    assert "theirs" not in {item["key"] for item in bulk.json()["flags"]}


async def test_bulk_returns_every_flag_with_etag_and_304(world: World) -> None:
    await seed(world)
    ctx = {"context": {"targetingKey": "u1", "plan": "pro"}}
    response = await world.client.post(BULK, json=ctx, headers=token(world))
    assert response.status_code == 200, response.text
    etag = response.headers["etag"]
    items = {item["key"]: item for item in response.json()["flags"]}
    assert set(items) == {"on", "pro", "off", "split", "company", "limit", "ratio", "layout", "colour"}
    assert items["off"]["reason"] == "DISABLED"
    assert items["pro"]["value"] is True
    assert items["limit"]["value"] == 7
    not_modified = await world.client.post(BULK, json=ctx, headers=token(world) | {"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    # Another context's results differ: another ETag.
    free = await world.client.post(
        BULK, json={"context": {"targetingKey": "u1", "plan": "free"}}, headers=token(world) | {"If-None-Match": etag}
    )
    assert free.status_code == 200
    assert free.headers["etag"] != etag
    # A flag change changes the ETag for the same context.
    await world.client.post(
        "/openfeature/v0/manifest/flags",
        json={"key": "new", "type": "boolean", "defaultValue": True},
        headers=world.auth(),
    )
    changed = await world.client.post(BULK, json=ctx, headers=token(world) | {"If-None-Match": etag})
    assert changed.status_code == 200
    assert "new" in {item["key"] for item in changed.json()["flags"]}


async def test_browsers_may_call_ofrep_from_any_origin_and_read_the_etag(world: World) -> None:
    origin = {"Origin": "https://shop.example"}
    preflight = await world.client.options(
        BULK,
        headers=origin
        | {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,if-none-match"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "if-none-match" in preflight.headers["access-control-allow-headers"]
    response = await world.client.post(BULK, json={"context": {"targetingKey": "u"}}, headers=token(world) | origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == "ETag"
