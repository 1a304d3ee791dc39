"""Two real flagcore servers (granian) sharing one Redis: throttles and quotas count across both.

Also: with Redis down, requests are still served (throttles admit, usage is held), and ``/_status`` says so.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.servers import run_cli, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
FEED_RATE = 10
BOOLEAN = {"groups": [{"properties": [], "rollout_percentage": 100}]}


def _env(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    return env | {
        "FLAGCORE_DATABASE_URL": database_url,
        "FLAGCORE_LOG_LEVEL": "warning",
        "FLAGCORE_ACCESS_LOG": "false",
        "FLAGCORE_REDIS_URL": redis_url,
        "FLAGCORE_REDIS_PREFIX": prefix,
        "FLAGCORE_RATE_LIMIT_FEED": f"{FEED_RATE}/minute",
        "FLAGCORE_QUOTA_CHECK_S": "0",
        "FLAGCORE_QUOTA_FLUSH_S": "0.1",
    }


def _servers(env: dict[str, str], count: int) -> Iterator[list[Server]]:
    assert run_cli("migrate", env=env).returncode == 0
    init = run_cli("init", "--json", env=env)
    assert init.returncode == 0, init.stderr
    credentials = json.loads(init.stdout)
    with running_server(env) as first, running_server(env) as second:
        urls = [first, second][:count]
        yield [Server(base_url=url, credentials=credentials, env=env) for url in urls]


@pytest.fixture
def two(postgres_database: Callable[[str], str], redis_url: str, redis_key_prefix: str) -> Iterator[list[Server]]:
    yield from _servers(_env(postgres_database("quota_instances"), redis_url, redis_key_prefix), 2)


def _feed(client: httpx.Client, server: Server) -> httpx.Response:
    return client.get(f"/api/feature_flag/local_evaluation?token={server.credentials['project_api_key']}")


def _flags(client: httpx.Client, server: Server) -> dict[str, Any]:
    response = client.post("/flags?v=2", json={"token": server.credentials["project_api_key"], "distinct_id": "u"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.postgres
@pytest.mark.redis
def test_the_feed_throttle_counts_both_instances_together(two: list[Server]) -> None:
    a, b = (server.client() for server in two)
    codes = [_feed(client, two[0]).status_code for client in [a, b] * (FEED_RATE // 2)]
    assert codes == [200] * FEED_RATE  # 5 on each: neither alone is near the rate
    throttled = [_feed(a, two[0]), _feed(b, two[1])]
    assert [r.status_code for r in throttled] == [429, 429]
    assert all(int(r.headers["retry-after"]) >= 1 for r in throttled)
    assert throttled[0].json()["type"] == "throttled_error"


@pytest.mark.postgres
@pytest.mark.redis
def test_the_quota_counts_both_instances_together(two: list[Server]) -> None:
    a, b = (server.client() for server in two)
    created = a.post("/api/projects/@current/feature_flags/", json={"key": "beta", "filters": BOOLEAN})
    assert created.status_code == 201, created.text
    org = two[0].credentials["organization_id"]
    put = a.put(
        f"/api/organizations/{org}/quota/", json={"feature_flag_requests": {"limit": 6, "grace_period_days": 0}}
    )
    assert put.status_code == 200, put.text
    for client, server in [(a, two[0]), (b, two[1])] * 3:  # 3 each: 6 in all, the limit
        assert "beta" in _flags(client, server)["flags"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # both flushed (every 0.1 s) to Redis: each instance sees the other's
        usage = a.get(f"/api/organizations/{org}/quota/").json()["feature_flag_requests"]
        if usage["todays_usage"] == 6:
            break
        time.sleep(0.05)
    assert usage["todays_usage"] == 6
    assert usage["quota_limited_until"] is not None
    assert _flags(a, two[0])["quotaLimited"] == ["feature_flags"]
    # The other instance converges within its check interval (0 here) plus a store round trip; on a loaded machine
    # that round trip can miss its timeout once, and the last known answer stands meanwhile.
    deadline = time.monotonic() + 5
    while "quotaLimited" not in (answer := _flags(b, two[1])) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert answer.get("quotaLimited") == ["feature_flags"]


def test_with_redis_down_requests_are_served_and_status_says_so(tmp_path: Any) -> None:
    env = _env(f"sqlite+aiosqlite:///{tmp_path / 'flagcore.db'}", "redis://127.0.0.1:1/0", "")
    env["FLAGCORE_REDIS_TIMEOUT_S"] = "0.2"
    for servers in _servers(env, 1):
        server = servers[0]
        client = server.client()
        created = client.post("/api/projects/@current/feature_flags/", json={"key": "beta", "filters": BOOLEAN})
        assert created.status_code == 201, created.text
        for _ in range(FEED_RATE + 2):  # the throttle's store is down: admitted
            assert _feed(client, server).status_code == 200
        for _ in range(3):
            assert "beta" in _flags(client, server)["flags"]
        time.sleep(0.5)
        status = client.get("/_status").json()
        assert status["status"] == "degraded"
        usage = status["usage"]
        assert (usage["counter_store"], usage["counter_store_ok"]) == ("redis", False)
        assert usage["pending_units"] == 3 + 10 * (FEED_RATE + 2)
        # the limiter store is asked once per 1 s cool-down, not per request (a hung Redis must not slow each one)
        assert usage["rate_limit_failures"] >= 1
