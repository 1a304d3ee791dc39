"""Capture endpoints: every route and compression, bad bodies, and the effect of events on ``/flags``."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.http.capture_support import applied, enabled, flag, flags_answer
from tests.integration.http.conftest import World

# {"event":"$pageview","distinct_id":"u1","properties":{"token":"phc_lz","city":"Zürich"}} in a list, compressed
# with lz-string's compressToBase64 (the token is replaced below, so this one is only a format sample).
LZ_SAMPLE = (
    "NobwRApgbhB2AuYBcYAkAHAhgc2gSwgHcwAaMAEzwGd49YBjeAfT3OTAFcBGUsdAJwD26CP1oQqycPEEBrOO3QALekwA2AL17088AJ7sAWgB/"
    "+eekrABfKwF0gA="
)


def batch(world: World, *events: dict[str, Any]) -> dict[str, Any]:
    return {"api_key": world.project_api_key, "batch": list(events), "sent_at": "2026-12-02T10:00:00Z"}


def set_event(distinct_id: str, **properties: Any) -> dict[str, Any]:
    return {"event": "$set", "distinct_id": distinct_id, "properties": {"$set": properties}}


@pytest.mark.parametrize("path", ["/batch", "/batch/", "/e", "/e/", "/i/v0/e/", "/capture/", "/track", "/engage/"])
async def test_every_route_accepts_a_batch_and_answers_ok(world: World, path: str) -> None:
    response = await world.client.post(path, json=batch(world, set_event("u1", plan="pro")))
    assert (response.status_code, response.json()) == (200, {"status": "Ok"})
    options = await world.client.options(path)
    assert options.status_code == 200


async def test_set_through_capture_changes_the_next_flags_answer(world: World) -> None:
    await flag(world, "pro-only", [{"key": "plan", "type": "person", "value": ["pro"], "operator": "exact"}])
    assert not enabled(await flags_answer(world, "u1"), "pro-only")
    await world.client.post("/batch/", json=batch(world, set_event("u1", plan="pro")))
    await applied(world)
    assert enabled(await flags_answer(world, "u1"), "pro-only")
    # The request's own properties win over the stored ones.
    assert not enabled(await flags_answer(world, "u1", person_properties={"plan": "free"}), "pro-only")
    only_overrides = await world.client.post(
        "/flags?v=2&only_use_override_person_properties=true",
        json={"api_key": world.project_api_key, "distinct_id": "u1"},
    )
    assert not only_overrides.json()["flags"]["pro-only"]["enabled"]


async def test_identify_merges_the_anonymous_person(world: World) -> None:
    await flag(world, "beta", [{"key": "beta", "type": "person", "value": ["yes"], "operator": "exact"}])
    anon = {"event": "$pageview", "distinct_id": "anon-1", "properties": {"$set": {"beta": "yes"}}}
    identify = {"event": "$identify", "distinct_id": "user-1", "properties": {"$anon_distinct_id": "anon-1"}}
    await world.client.post("/batch", json=batch(world, anon, identify))
    await applied(world)
    assert enabled(await flags_answer(world, "user-1"), "beta")


async def test_set_once_keeps_the_first_value_and_unset_removes(world: World) -> None:
    await flag(world, "first", [{"key": "source", "type": "person", "value": ["ad"], "operator": "exact"}])
    await flag(world, "gone", [{"key": "temp", "type": "person", "operator": "is_set", "value": "is_set"}])
    events = [
        {"event": "e", "distinct_id": "u", "$set_once": {"source": "ad"}, "properties": {"$set": {"temp": 1}}},
        {"event": "e", "distinct_id": "u", "properties": {"$set_once": {"source": "seo"}, "$unset": ["temp"]}},
    ]
    await world.client.post("/batch", json=batch(world, *events))
    await applied(world)
    answer = await flags_answer(world, "u")
    assert enabled(answer, "first")
    assert not enabled(answer, "gone")


async def test_groupidentify_stores_group_properties_for_group_flags(world: World) -> None:
    event = {
        "event": "$groupidentify",
        "distinct_id": "u",
        "properties": {"$group_type": "company", "$group_key": "acme", "$group_set": {"tier": "gold"}},
    }
    await world.client.post("/batch", json=batch(world, event))
    await applied(world)
    await flag(
        world,
        "gold",
        [{"key": "tier", "type": "group", "value": ["gold"], "operator": "exact", "group_type_index": 0}],
        aggregation_group_type_index=0,
    )
    assert enabled(await flags_answer(world, "u", groups={"company": "acme"}), "gold")
    assert not enabled(await flags_answer(world, "u", groups={"company": "other"}), "gold")


async def test_every_compression(world: World) -> None:
    await flag(world, "c", [{"key": "via", "type": "person", "operator": "is_set", "value": "is_set"}])
    payload = json.dumps(batch(world, set_event("gz", via="gzip"))).encode()
    events_json = json.dumps([{**set_event("b64", via="base64"), "api_key": world.project_api_key}]).encode()
    sent = [
        await world.client.post("/batch", content=gzip.compress(payload), headers={"content-encoding": "gzip"}),
        await world.client.post("/e/?compression=gzip-js", content=gzip.compress(events_json)),
        await world.client.post(
            "/e/?compression=base64",
            content=f"data={quote(base64.b64encode(events_json).decode())}",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        await world.client.get(f"/e/?data={quote(base64.b64encode(events_json).decode())}"),
        await world.client.post("/e/", content=base64.b64encode(payload)),
    ]
    assert [r.status_code for r in sent] == [200] * len(sent)
    await applied(world)
    assert enabled(await flags_answer(world, "gz"), "c")
    assert enabled(await flags_answer(world, "b64"), "c")


async def test_lz64_is_decoded(world: World) -> None:
    # A valid token is needed for the event to be ingested; the sample's token is unknown, so it is dropped (200).
    response = await world.client.post(
        "/e/?compression=lz64",
        content=f"data={quote(LZ_SAMPLE)}&compression=lz64",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    broken = await world.client.post("/e/?compression=lz64", content=b"!!!not-lz!!!")
    assert broken.status_code == 400


async def test_beacon_answers_204(world: World) -> None:
    response = await world.client.post("/e/?beacon=1", json={**set_event("u", a=1), "api_key": world.project_api_key})
    assert response.status_code == 204


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"{not json", 400),
        (b"42", 400),
        (b'{"batch": 1, "api_key": "phc_x"}', 400),
        (b'{"batch": [{"distinct_id": "u"}], "api_key": "phc_x"}', 400),
        (b'{"batch": [{"event": "e"}], "api_key": "phc_x"}', 400),
        (b'{"batch": [{"event": "e", "distinct_id": "u"}]}', 401),
        (b'[{"event": "e", "distinct_id": "u", "token": "a"}, {"event": "e", "distinct_id": "u", "token": "b"}]', 401),
        (b'{"batch": [{"event": "e", "distinct_id": "u"}], "api_key": "phx_personal"}', 401),
        (b'{"batch": [{"event": "e", "distinct_id": "u"}], "api_key": "' + b"x" * 65 + b'"}', 401),
        (b"[" * 10_000 + b"]" * 10_000, 400),
        (b"\x1f\x8b\x08garbage", 400),
        (b'\xff\xfe{"event"}', 400),
    ],
)
async def test_bad_bodies_are_4xx(world: World, body: bytes, status: int) -> None:
    response = await world.client.post("/batch", content=body)
    assert response.status_code == status, response.text


async def test_unknown_token_is_accepted_and_dropped(world: World) -> None:
    response = await world.client.post("/batch", json={"api_key": "phc_nobody", "batch": [set_event("u", a=1)]})
    assert response.status_code == 200


async def test_oversize_and_bomb_are_413(world: World) -> None:
    big = json.dumps({"event": "e", "distinct_id": "u", "api_key": "phc_x", "p": "x" * (3 * 1024 * 1024)})
    assert (await world.client.post("/e/", content=big.encode())).status_code == 413
    bomb = gzip.compress(b"[" + b" " * (30 * 1024 * 1024) + b"]")
    assert len(bomb) < 1024 * 1024
    response = await world.client.post("/batch", content=bomb, headers={"content-encoding": "gzip"})
    assert response.status_code == 413


async def test_events_of_another_project_stay_there(world: World) -> None:
    await flag(world, "pro-only", [{"key": "plan", "type": "person", "value": ["pro"], "operator": "exact"}])
    other = {"api_key": world.other_project_api_key, "batch": [set_event("u1", plan="pro")]}
    assert (await world.client.post("/batch", json=other)).status_code == 200
    await applied(world)
    assert not enabled(await flags_answer(world, "u1"), "pro-only")


async def test_capture_cors_mirrors_the_origin_with_credentials(world: World) -> None:
    origin = {"Origin": "https://shop.example"}
    preflight = await world.client.options(
        "/e/",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://shop.example"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    posted = await world.client.post(
        "/e/", json={**set_event("u", a=1), "api_key": world.project_api_key}, headers=origin
    )
    assert posted.headers["access-control-allow-origin"] == "https://shop.example"
