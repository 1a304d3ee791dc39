"""S3 down: Redis and the database serve; writes land; S3 does not serve what was invalidated while it was down."""

from __future__ import annotations

import pytest

from tests.integration.faults.conftest import NOBODY, Stack

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.s3, pytest.mark.xdist_group("pg")]


async def test_s3_cut_redis_and_the_database_serve(stack: Stack) -> None:
    flag = await stack.create("checkout")
    assert (await stack.flags())["checkout"]["enabled"] is True

    stack.s3.cut()
    assert (await stack.flags())["checkout"]["enabled"] is True
    assert await stack.feed_keys() == ["checkout"]
    assert (await stack.patch(flag["id"], filters=NOBODY)).status_code == 200
    # Redis was invalidated and misses; S3 fails; the database builds and refills Redis.
    assert (await stack.flags())["checkout"]["enabled"] is False
    assert b'"rollout_percentage":0' in (await stack.in_redis() or b"")
    s3 = (await stack.status())["snapshot_tiers"]["s3"]
    assert s3["failures"] > 0
    assert s3["pending_invalidations"] == 1
    assert stack.logs.any("snapshot tier s3 failed")

    stack.s3.restore()
    # Redis loses everything (a restart): S3 is read again and must not serve the snapshot from before the write.
    await stack.redis_client.delete(*[key async for key in stack.redis_client.scan_iter(match=f"{stack.prefix}*")])
    for _ in range(3):
        assert (await stack.flags())["checkout"]["enabled"] is False
    assert b'"rollout_percentage":0' in (await stack.in_redis() or b"")
