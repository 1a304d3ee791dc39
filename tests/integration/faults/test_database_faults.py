"""Database down: evaluation and the feed serve the last snapshot from Redis or S3; writes answer 503, whole or not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.faults.conftest import BOOLEAN, Stack

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.s3, pytest.mark.xdist_group("pg")]
SERVICE_UNAVAILABLE = {"type": "server_error", "code": "service_unavailable"}


def _unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert set(body) == {"type", "code", "detail", "attr"}
    assert {key: body[key] for key in SERVICE_UNAVAILABLE} == SERVICE_UNAVAILABLE


async def _warm(stack: Stack) -> dict[str, Any]:
    flag = await stack.create("checkout")
    await stack.create("search", active=False)
    assert (await stack.flags())["checkout"]["enabled"] is True
    # Every credential and document the outage will need is read once (this process learns the credentials).
    assert await stack.feed_keys() == ["checkout", "search"]
    assert await stack.feed_keys(personal=True) == ["checkout", "search"]
    return flag


async def test_database_down_evaluation_and_the_feed_serve_from_redis(stack: Stack) -> None:
    await _warm(stack)
    etag = (await stack.feed()).headers["etag"]
    stack.database.cut()
    for _ in range(3):
        flags = await stack.flags()
        assert flags["checkout"]["enabled"] is True
        assert "search" not in flags  # inactive: /flags leaves it out
        assert await stack.feed_keys() == ["checkout", "search"]
        assert await stack.feed_keys(personal=True) == ["checkout", "search"]
        assert (await stack.feed(etag=etag)).status_code == 304
    stack.database.restore()
    assert (await stack.flags())["checkout"]["enabled"] is True


async def test_database_and_redis_down_s3_serves(stack: Stack) -> None:
    await _warm(stack)
    stack.database.cut()
    stack.redis.cut()
    assert (await stack.flags())["checkout"]["enabled"] is True
    assert await stack.feed_keys(personal=True) == ["checkout", "search"]
    tiers = (await stack.status())["snapshot_tiers"]
    assert tiers["s3"]["hits"] > 0
    assert tiers["redis"]["failures"] > 0


async def test_database_down_writes_answer_503_and_nothing_is_written_half(stack: Stack) -> None:
    flag = await _warm(stack)
    stack.database.cut()
    _unavailable(
        await stack.world.client.post(
            stack.world.url(), json={"key": "new", "filters": BOOLEAN}, headers=stack.world.auth()
        )
    )
    _unavailable(await stack.patch(flag["id"], active=False))
    _unavailable(await stack.patch(flag["id"], deleted=True))
    assert stack.logs.any("backend unavailable")
    # Reads still serve the snapshot from before the failed writes.
    assert (await stack.flags())["checkout"]["enabled"] is True
    assert (await stack.status())["credentials_served_stale"] > 0  # the project row, read by every authorization

    stack.database.restore()
    listed = await stack.world.client.get(stack.world.url(), headers=stack.world.auth())
    assert listed.status_code == 200
    stored = {item["key"]: item for item in listed.json()["results"]}
    assert set(stored) == {"checkout", "search"}
    assert stored["checkout"]["active"] is True
    assert stored["checkout"]["version"] == flag["version"]
    assert (await stack.flags())["checkout"]["enabled"] is True
    assert await stack.feed_keys() == ["checkout", "search"]


async def test_a_credential_never_seen_fails_with_503_during_the_outage(stack: Stack) -> None:
    stack.database.cut()
    body = {"api_key": stack.world.project_api_key, "distinct_id": "user-1"}
    _unavailable(await stack.world.client.post("/flags?v=2", json=body))
    stack.database.restore()
    assert await stack.flags() == {}  # the same credential authenticates once the database is back
