"""OFREP against the organization's quota, over memory, SQLite and PostgreSQL: each request counts 1 unit, as a
``/flags`` request does, and the request after the one that reaches the limit is refused (bulk: no flags; single:
402 with OFREP's ``GENERAL``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.http.conftest import World

SINGLE = "/ofrep/v1/evaluate/flags/on"
BULK = "/ofrep/v1/evaluate/flags"
CONTEXT = {"context": {"targetingKey": "u1"}}
QUOTA_EXCEEDED = "You have exceeded your feature flag request quota"

pytestmark = pytest.mark.world_settings(quota_check_s=0)


def _token(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.project_api_key}"}


async def _seed(world: World, limit: int) -> None:
    flag = {"key": "on", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}}
    assert (await world.client.post(world.url(), json=flag, headers=world.auth())).status_code == 201
    quota = {"feature_flag_requests": {"limit": limit, "grace_period_days": 0}}
    put = await world.client.put(f"/api/organizations/{world.organization_id}/quota/", json=quota, headers=world.auth())
    assert put.status_code == 200, put.text


async def _todays_usage(world: World) -> int:
    response = await world.client.get(f"/api/organizations/{world.organization_id}/quota/", headers=world.auth())
    assert response.status_code == 200
    return int(response.json()["feature_flag_requests"]["todays_usage"])


async def _bulk(world: World) -> Any:
    return await world.client.post(BULK, json=CONTEXT, headers=_token(world))


async def _single(world: World) -> Any:
    return await world.client.post(SINGLE, json=CONTEXT, headers=_token(world))


async def test_bulk_and_single_count_one_each_and_are_refused_after_the_request_that_reaches_the_limit(
    world: World,
) -> None:
    await _seed(world, limit=3)
    # A context the endpoint cannot use is refused before the quota: not counted, as on /flags.
    bad = await world.client.post(BULK, json={"context": {}}, headers=_token(world))
    assert bad.status_code == 400
    served = [await _bulk(world), await _single(world), await _bulk(world)]  # the third reaches the limit
    assert [r.status_code for r in served] == [200, 200, 200]
    assert [f["key"] for f in served[0].json()["flags"]] == ["on"]
    assert served[1].json()["value"] is True
    assert await _todays_usage(world) == 3

    limited_bulk = await _bulk(world)
    assert limited_bulk.status_code == 200
    assert limited_bulk.json() == {"flags": []}
    assert limited_bulk.headers["etag"]
    limited_single = await _single(world)
    assert limited_single.status_code == 402
    body = limited_single.json()
    assert (body["key"], body["errorCode"], body["errorDetails"]) == ("on", "GENERAL", QUOTA_EXCEEDED)
    # /flags sees the same limit: OFREP and /flags share one ServingQuota.
    flags = await world.client.post("/flags?v=2", json={"token": world.project_api_key, "distinct_id": "u1"})
    assert flags.json()["quotaLimited"] == ["feature_flags"]
    assert await _todays_usage(world) == 3  # refused requests are not counted


async def test_flags_requests_use_up_the_quota_ofrep_then_answers_limited(world: World) -> None:
    await _seed(world, limit=1)
    flags = await world.client.post("/flags?v=2", json={"token": world.project_api_key, "distinct_id": "u1"})
    assert "on" in flags.json()["flags"]
    assert (await _single(world)).status_code == 402
    assert (await _bulk(world)).json() == {"flags": []}


async def test_raising_the_limit_serves_ofrep_again_at_once_on_this_instance(world: World) -> None:
    await _seed(world, limit=1)
    assert (await _single(world)).status_code == 200
    assert (await _single(world)).status_code == 402
    quota = {"feature_flag_requests": {"limit": 10, "grace_period_days": 0}}
    put = await world.client.put(f"/api/organizations/{world.organization_id}/quota/", json=quota, headers=world.auth())
    assert put.status_code == 200
    assert (await _single(world)).status_code == 200
