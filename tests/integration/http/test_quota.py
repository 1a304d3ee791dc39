"""Quotas and throttles over HTTP: the request that reaches the limit, grace, rollover, the feed's 402 and 304,
the admin routes, throttles at exactly their rate, and a counter store that is down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from dishka import Provider, Scope

from flagcore.adapters.memory import (
    FixedClock,
    MemoryApiKeyRepo,
    MemoryFlagRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryUserRepo,
)
from flagcore.adapters.memory.quota import MemoryQuotaLimitRepo
from flagcore.adapters.memory.quota_rate_limiter import MemoryRateLimiter
from flagcore.app.quota.provider import QuotaStores
from flagcore.app.settings import Settings
from flagcore.domain.identity import Membership, MembershipLevel
from flagcore.domain.quota import DailyUsage, Resource, UsageKey
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.quota import UsageCounters
from tests.integration.http.conftest import World, _instances, _serve

START = datetime(2026, 3, 10, 12, tzinfo=UTC)
PAYMENT_REQUIRED = {
    "type": "quota_limited",
    "code": "payment_required",
    "detail": "You have exceeded your feature flag request quota",
    "attr": None,
}

Serve = Callable[..., AbstractAsyncContextManager[tuple[World, dict[str, Any]]]]


class DownCounters(UsageCounters):
    """A counter store that is down."""

    async def add(self, increments: Mapping[UsageKey, int]) -> None:
        raise BackendUnavailableError("down")

    async def daily(self, organization_id: str, resource: Resource, start: date, end: date) -> DailyUsage:
        raise BackendUnavailableError("down")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def serve(clock: FixedClock) -> Serve:
    @contextlib.asynccontextmanager
    async def start(*extra: Provider, **settings: Any) -> AsyncIterator[tuple[World, dict[str, Any]]]:
        repos: dict[str, Any] = {
            "flags": MemoryFlagRepo(),
            "organizations": MemoryOrganizationRepo(),
            "projects": MemoryProjectRepo(),
            "users": MemoryUserRepo(),
            "keys": MemoryApiKeyRepo(),
        }
        clocks = Provider(scope=Scope.APP)
        clocks.provide(lambda: clock, provides=Clock)
        config = Settings(database_url="memory://", quota_check_s=0, **settings)
        async with _serve(repos, [_instances(**repos), clocks, *extra], config) as world:
            yield world, repos

    return start


async def _org(world: World, repos: dict[str, Any]) -> str:
    project = await repos["projects"].get(world.project_id)
    return str(project.organization_id)


async def _flag(world: World) -> None:
    body = {"key": "beta", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}}
    assert (await world.client.post(world.url(), json=body, headers=world.auth())).status_code == 201


async def _flags(world: World, path: str = "/flags?v=2") -> dict[str, Any]:
    response = await world.client.post(path, json={"token": world.project_api_key, "distinct_id": "u1"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def _set(world: World, org: str, quota: dict[str, Any], key: str | None = None) -> Any:
    return await world.client.put(
        f"/api/organizations/{org}/quota/", json={"feature_flag_requests": quota}, headers=world.auth(key)
    )


async def _usage(world: World, org: str) -> dict[str, Any]:
    response = await world.client.get(f"/api/organizations/{org}/quota/", headers=world.auth())
    assert response.status_code == 200
    usage: dict[str, Any] = response.json()["feature_flag_requests"]
    return usage


async def test_flags_are_limited_from_the_request_after_the_one_that_reaches_the_limit(serve: Serve) -> None:
    async with serve() as (world, repos):
        org = await _org(world, repos)
        await _flag(world)
        assert (await _set(world, org, {"limit": 5, "grace_period_days": 0})).status_code == 200
        for _ in range(5):
            body = await _flags(world)
            assert "beta" in body["flags"]
            assert "quotaLimited" not in body
        limited = await _flags(world)
        assert limited["flags"] == {}
        assert limited["quotaLimited"] == ["feature_flags"]
        assert limited["errorsWhileComputingFlags"] is False
        assert limited["requestId"]
        with_config = await _flags(world, "/flags?v=2&config=true")
        assert with_config["quotaLimited"] == ["feature_flags"]
        assert with_config["supportedCompression"] == ["gzip", "gzip-js"]
        assert with_config["hasFeatureFlags"] is False
        legacy = await _flags(world, "/flags")
        assert (legacy["featureFlags"], legacy["quotaLimited"]) == ({}, ["feature_flags"])
        decide = await _flags(world, "/decide")
        assert (decide["featureFlags"], decide["quotaLimited"]) == ([], ["feature_flags"])
        usage = await _usage(world, org)
        assert (usage["usage"], usage["todays_usage"]) == (0, 5)  # limited requests are not counted
        assert usage["quota_limited_until"] == int(datetime(2026, 4, 1, tzinfo=UTC).timestamp())
        assert usage["period"] == ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"]


async def _flushed() -> None:
    # Units are dated when flushed (every 0.05 s here): let them be, before the test moves its clock.
    await asyncio.sleep(0.2)


async def test_grace_period_then_limited_until_the_period_rolls_over(serve: Serve, clock: FixedClock) -> None:
    async with serve(quota_flush_s=0.05) as (world, repos):
        org = await _org(world, repos)
        await _flag(world)
        put = await _set(world, org, {"limit": 1})
        assert put.json()["feature_flag_requests"]["grace_period_days"] == 2  # the default
        for _ in range(3):  # over the limit, inside the grace period: served
            assert "quotaLimited" not in await _flags(world)
        usage = await _usage(world, org)
        assert usage["grace_until"] == int(datetime(2026, 3, 12, tzinfo=UTC).timestamp())
        assert usage["quota_limited_until"] is None
        await _flushed()
        clock.advance(timedelta(days=1, hours=11, minutes=59))  # 2026-03-11 23:59
        assert "quotaLimited" not in await _flags(world)
        clock.advance(timedelta(minutes=1))  # the grace period ends at midnight
        assert (await _flags(world))["quotaLimited"] == ["feature_flags"]
        await _flushed()
        clock.advance(timedelta(days=21))  # 2026-04-02: a new period, usage starts again
        assert "beta" in (await _flags(world))["flags"]
        usage = await _usage(world, org)
        assert (usage["usage"], usage["todays_usage"], usage["quota_limited_until"]) == (0, 1, None)


async def test_feed_counts_ten_on_a_200_nothing_on_a_304_and_answers_402_when_limited(serve: Serve) -> None:
    async with serve() as (world, repos):
        org = await _org(world, repos)
        await _flag(world)
        feed = f"/api/feature_flag/local_evaluation?token={world.project_api_key}"
        first = await world.client.get(feed, headers=world.auth(world.secret_key))
        assert first.status_code == 200
        etag = first.headers["etag"]
        again = await world.client.get(feed, headers={**world.auth(world.secret_key), "If-None-Match": etag})
        assert again.status_code == 304
        assert (await _usage(world, org))["todays_usage"] == 10
        await _set(world, org, {"limit": 10, "grace_period_days": 0})
        limited = await world.client.get(feed, headers=world.auth(world.secret_key))
        assert limited.status_code == 402
        assert limited.json() == PAYMENT_REQUIRED
        assert (await _usage(world, org))["todays_usage"] == 10


async def test_quota_routes_for_owners_and_admins_only(serve: Serve) -> None:
    async with serve() as (world, repos):
        org = await _org(world, repos)
        usage = await _usage(world, org)
        assert usage == {
            "limit": None,
            "usage": 0,
            "todays_usage": 0,
            "period": ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"],
            "grace_period_days": 0,
            "quota_limited_until": None,
            "grace_until": None,
            "quota_limiting_suspended_until": None,
        }
        assert (await _set(world, org, {"limit": 5})).json()["feature_flag_requests"]["limit"] == 5
        assert (await _set(world, org, {"limit": None})).json()["feature_flag_requests"]["limit"] is None
        assert (await _set(world, org, {"limit": -1})).status_code == 400
        assert (await _set(world, org, {"limit": 5, "color": "red"})).status_code == 400
        assert (await _set(world, org, {"limit": 5, "grace_period_days": 99})).status_code == 400
        # Another organization's member: 404, as for an organization that does not exist.
        assert (await _set(world, org, {"limit": 5}, key=world.other_key)).status_code == 404
        other = f"/api/organizations/{org}/quota/"
        assert (await world.client.get(other, headers=world.auth(world.other_key))).status_code == 404
        assert (await world.client.get(other, headers=world.auth(world.read_key))).status_code == 403
        await repos["organizations"].set_membership(
            Membership(organization_id=org, user_id=world.user_id, level=MembershipLevel.MEMBER)
        )
        assert (await world.client.get(other, headers=world.auth())).status_code == 403
        assert (await _set(world, org, {"limit": 5})).status_code == 403


async def test_suspension_serves_an_organization_over_its_limit(serve: Serve, clock: FixedClock) -> None:
    async with serve() as (world, repos):
        org = await _org(world, repos)
        await _flag(world)
        until = int((START + timedelta(days=1)).timestamp())
        await _set(world, org, {"limit": 0, "grace_period_days": 0, "quota_limiting_suspended_until": until})
        assert "quotaLimited" not in await _flags(world)
        clock.advance(timedelta(days=1))
        assert (await _flags(world))["quotaLimited"] == ["feature_flags"]


async def test_a_counter_store_that_is_down_never_fails_a_request_and_status_says_so(serve: Serve) -> None:
    stores = Provider(scope=Scope.APP)
    down = QuotaStores(MemoryQuotaLimitRepo(), DownCounters(), "db", MemoryRateLimiter())
    stores.provide(lambda: down, provides=QuotaStores)
    async with serve(stores, quota_flush_s=0.05) as (world, repos):
        org = await _org(world, repos)
        await _flag(world)
        assert (await _set(world, org, {"limit": 0, "grace_period_days": 0})).status_code == 503  # the admin route
        for _ in range(3):
            assert "beta" in (await _flags(world))["flags"]
        await asyncio.sleep(0.3)
        status = (await world.client.get("/_status")).json()
        assert status["status"] == "degraded"
        usage = status["usage"]
        assert usage["counter_store_ok"] is False
        assert usage["pending_units"] == 3  # held for when the store is back
        assert usage["flush_failures"] >= 1
        assert usage["check_failures"] >= 1


async def test_status_reports_a_healthy_counter_store(serve: Serve) -> None:
    async with serve(quota_flush_s=0.05) as (world, _repos):
        await _flag(world)
        await _flags(world)
        await asyncio.sleep(0.3)
        status = (await world.client.get("/_status")).json()
        assert status["status"] == "ok"
        assert status["usage"]["counter_store"] == "memory"
        assert status["usage"]["counter_store_ok"] is True
        assert status["usage"]["pending_units"] == 0


THROTTLED = {"type": "throttled_error", "code": "throttled", "attr": None}


async def test_feed_throttle_admits_exactly_the_rate_per_project_then_429_with_retry_after(serve: Serve) -> None:
    async with serve(rate_limit_feed="3/minute") as (world, _repos):
        feed = f"/api/feature_flag/local_evaluation?token={world.project_api_key}"
        statuses = [(await world.client.get(feed, headers=world.auth(world.secret_key))).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        throttled = await world.client.get(feed, headers=world.auth(world.secret_key))
        assert throttled.status_code == 429
        body = throttled.json()
        assert {k: body[k] for k in THROTTLED} == THROTTLED
        assert body["detail"].startswith("Request was throttled. Expected available in ")
        assert 1 <= int(throttled.headers["retry-after"]) <= 60
        # A personal key on the same project shares the project's window.
        assert (await world.client.get(feed, headers=world.auth())).status_code == 429
        # /flags is never throttled.
        for _ in range(5):
            flags = await world.client.post("/flags", json={"token": world.project_api_key, "distinct_id": "u"})
            assert flags.status_code == 200


async def test_feed_rate_is_overridable_per_project(serve: Serve) -> None:
    async with serve(rate_limit_feed="1/minute", rate_limit_feed_projects='{"1": "2/minute"}') as (world, _):
        assert world.project_id == 1
        feed = f"/api/feature_flag/local_evaluation?token={world.project_api_key}"
        codes = [(await world.client.get(feed, headers=world.auth(world.secret_key))).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


async def test_personal_key_burst_throttle_on_the_management_api(serve: Serve) -> None:
    async with serve(rate_limit_burst="4/minute") as (world, _repos):
        codes = [(await world.client.get(world.url(), headers=world.auth())).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        assert (await world.client.get(world.url(), headers=world.auth(world.read_key))).status_code == 200  # per key


async def test_personal_key_sustained_throttle(serve: Serve) -> None:
    async with serve(rate_limit_sustained="2/hour") as (world, _repos):
        codes = [(await world.client.get(world.url(), headers=world.auth())).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


async def test_rate_limits_can_be_switched_off(serve: Serve) -> None:
    async with serve(rate_limit_burst="1/minute", rate_limit_feed="1/minute", rate_limits_enabled=False) as (world, _):
        feed = f"/api/feature_flag/local_evaluation?token={world.project_api_key}"
        for _ in range(3):
            assert (await world.client.get(world.url(), headers=world.auth())).status_code == 200
            assert (await world.client.get(feed, headers=world.auth(world.secret_key))).status_code == 200
