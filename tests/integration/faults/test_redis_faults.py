"""Redis down or hung: reads fall through to S3 and the database, writes still land, Redis is refilled on return."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.integration.faults.conftest import NOBODY, Stack

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.s3, pytest.mark.xdist_group("pg")]
#: Longer than the tiered cache's cool-down (1 s), after which a failed tier is tried again.
RETURN_DEADLINE_S = 5.0


async def _until_refilled(stack: Stack, expected: bytes) -> None:
    deadline = time.monotonic() + RETURN_DEADLINE_S
    while time.monotonic() < deadline:
        await stack.flags()  # each read after the cool-down tries Redis again and refills it on a miss
        stored = await stack.in_redis()
        if stored is not None and expected in stored:
            return
        await asyncio.sleep(0.1)
    pytest.fail("Redis was not refilled after it came back")


async def test_redis_cut_mid_run_reads_fall_through_and_redis_is_refilled(stack: Stack) -> None:
    flag = await stack.create("checkout")
    assert (await stack.flags())["checkout"]["enabled"] is True
    assert await stack.in_redis() is not None  # warmed: the read filled Redis (and S3)
    etag = (await stack.feed()).headers["etag"]

    stack.redis.cut()
    assert (await stack.flags())["checkout"]["enabled"] is True
    assert await stack.feed_keys() == ["checkout"]
    assert (await stack.feed(etag=etag)).status_code == 304
    # A write while Redis is down lands in the database and is served at once (S3 was invalidated, Redis owes it).
    assert (await stack.patch(flag["id"], filters=NOBODY)).status_code == 200
    assert (await stack.flags())["checkout"]["enabled"] is False
    created = await stack.create("search")
    assert set(await stack.feed_keys()) == {"checkout", "search"}

    status = await stack.status()
    assert status["snapshot_tiers"]["redis"]["failures"] > 0
    assert status["snapshot_tiers"]["redis"]["pending_invalidations"] == 1
    assert status["status"] == "degraded"
    assert stack.logs.any("snapshot tier redis failed")

    stack.redis.restore()
    await _until_refilled(stack, b'"search"')
    flags = await stack.flags()
    assert flags["checkout"]["enabled"] is False  # the invalidation Redis missed was applied before it served
    assert flags["search"]["enabled"] is True
    assert created["key"] == "search"
    assert (await stack.status())["snapshot_tiers"]["redis"]["pending_invalidations"] == 0


async def test_a_hung_redis_costs_a_timeout_per_cool_down_not_per_request(stack: Stack) -> None:
    await stack.create("checkout")
    await stack.flags()
    stack.redis.stall()
    started = time.monotonic()
    for _ in range(20):
        assert (await stack.flags())["checkout"]["enabled"] is True
        assert await stack.feed_keys() == ["checkout"]
    elapsed = time.monotonic() - started
    # 40 requests; Redis's 0.3 s timeout is paid about once per 1 s cool-down, not 40 times (12 s).
    assert elapsed < 6, elapsed
    redis = (await stack.status())["snapshot_tiers"]["redis"]
    assert redis["failures"] >= 1
    assert redis["skipped"] > redis["failures"]
    assert stack.logs.any("snapshot tier redis failed")

    stack.redis.restore()
    await stack.redis_client.delete(*[key async for key in stack.redis_client.scan_iter(match=f"{stack.prefix}*")])
    await _until_refilled(stack, b'"checkout"')


async def test_redis_unreachable_from_the_start_serves_from_s3_and_the_database(stack: Stack) -> None:
    stack.redis.cut()
    flag = await stack.create("beta")
    assert (await stack.flags())["beta"]["enabled"] is True
    assert await stack.feed_keys(personal=True) == ["beta"]
    assert (await stack.patch(flag["id"], deleted=True)).status_code == 200
    assert "beta" not in await stack.flags()
    assert await stack.feed_keys() == []
    assert (await stack.status())["snapshot_tiers"]["s3"]["failures"] == 0
