"""Security headers and CORS per route family (issue 17).

Before: no ``X-Content-Type-Options``, no ``Cache-Control`` on management answers, and CORS answered ``*`` with
``authorization`` and PATCH/PUT/DELETE allowed on the management API and the feed. Now only ``/flags`` and
``/decide`` answer any origin; the rest answers the origins of ``FLAGCORE_CORS_ORIGINS`` (none by default).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from flagcore.adapters.memory import (
    MemoryApiKeyRepo,
    MemoryFlagRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryUserRepo,
)
from flagcore.app.settings import Settings
from tests.integration.http.conftest import World, _instances, _serve

ADMIN = "https://admin.example.com"
SHOP = "https://shop.example.com"
PREFLIGHT = {"Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization,content-type"}


@pytest.fixture
async def admin_world() -> AsyncIterator[World]:
    """An app whose management API allows the ``ADMIN`` origin."""
    repos: dict[str, Any] = {
        "flags": MemoryFlagRepo(),
        "organizations": MemoryOrganizationRepo(),
        "projects": MemoryProjectRepo(),
        "users": MemoryUserRepo(),
        "keys": MemoryApiKeyRepo(),
    }
    settings = Settings(database_url="memory://", cors_origins=f"{ADMIN}, http://localhost:3000")
    async with _serve(repos, [_instances(**repos)], settings) as world:
        yield world


def feed_url(world: World) -> str:
    return f"/flags/definitions?token={world.project_api_key}"


async def request(world: World, what: str, origin: str | None = None) -> Any:
    headers = {"Origin": origin} if origin else {}
    client = world.client
    if what == "flags":
        return await client.post(
            "/flags/?v=2", json={"token": world.project_api_key, "distinct_id": "u"}, headers=headers
        )
    if what == "decide-get":
        return await client.get("/decide", headers=headers)
    if what == "list":
        return await client.get(world.url(), headers={**headers, **world.auth()})
    if what == "unauthenticated":
        return await client.get(world.url(), headers=headers)
    if what == "not-found":
        return await client.get("/api/nothing/here/", headers=headers)
    if what == "wrong-method":
        return await client.delete("/flags/definitions", headers=headers)
    if what == "feed":
        return await client.get(feed_url(world), headers={**headers, **world.auth(world.secret_key)})
    if what == "legacy-feed":
        url = f"/api/feature_flag/local_evaluation?token={world.project_api_key}"
        return await client.get(url, headers={**headers, **world.auth(world.secret_key)})
    if what == "health":
        return await client.get("/_health", headers=headers)
    raise AssertionError(what)


EVERY = ["flags", "decide-get", "list", "unauthenticated", "not-found", "wrong-method", "feed", "legacy-feed", "health"]
MANAGEMENT = ["list", "unauthenticated", "not-found"]


@pytest.mark.parametrize("what", EVERY)
async def test_every_response_is_nosniff(world: World, what: str) -> None:
    response = await request(world, what)
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("what", MANAGEMENT)
async def test_management_answers_are_not_stored(world: World, what: str) -> None:
    response = await request(world, what)
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("what", ["feed", "legacy-feed"])
async def test_the_feed_keeps_its_own_caching(world: World, what: str) -> None:
    response = await request(world, what)
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == ["private, must-revalidate"]


async def test_evaluation_answers_carry_no_cache_control(world: World) -> None:
    assert "cache-control" not in (await request(world, "flags")).headers


@pytest.mark.parametrize("path", ["/flags", "/flags/", "/decide", "/decide/"])
async def test_evaluation_routes_answer_any_origin_without_credentials(world: World, path: str) -> None:
    body = {"token": world.project_api_key, "distinct_id": "u"}
    response = await world.client.post(path + "?v=2", json=body, headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = await world.client.options(path, headers={"Origin": SHOP, **PREFLIGHT})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"]


@pytest.mark.parametrize("what", ["list", "unauthenticated", "feed", "legacy-feed"])
async def test_by_default_no_origin_may_read_the_management_api_or_the_feed(world: World, what: str) -> None:
    response = await request(world, what, origin=SHOP)
    assert "access-control-allow-origin" not in response.headers


async def test_by_default_management_preflights_are_not_granted(world: World) -> None:
    response = await world.client.options(world.url(), headers={"Origin": SHOP, **PREFLIGHT})
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-methods" not in response.headers
    feed = await world.client.options("/flags/definitions", headers={"Origin": SHOP, **PREFLIGHT})
    assert "access-control-allow-origin" not in feed.headers


@pytest.mark.parametrize("what", ["list", "unauthenticated", "feed"])
async def test_a_configured_origin_may_read_the_management_api(admin_world: World, what: str) -> None:
    response = await request(admin_world, what, origin=ADMIN)
    assert response.headers["access-control-allow-origin"] == ADMIN
    assert "Origin" in response.headers["vary"]
    other = await request(admin_world, what, origin=SHOP)
    assert "access-control-allow-origin" not in other.headers
    assert "Origin" in other.headers["vary"]


async def test_a_configured_origin_gets_its_preflight(admin_world: World) -> None:
    response = await admin_world.client.options(admin_world.url(), headers={"Origin": ADMIN, **PREFLIGHT})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ADMIN
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert "DELETE" not in response.headers["access-control-allow-methods"]  # always 405 anyway
    assert "authorization" in response.headers["access-control-allow-headers"]
    assert "access-control-allow-credentials" not in response.headers
    refused = await admin_world.client.options(admin_world.url(), headers={"Origin": SHOP, **PREFLIGHT})
    assert "access-control-allow-origin" not in refused.headers


async def test_evaluation_stays_open_to_any_origin_when_origins_are_configured(admin_world: World) -> None:
    response = await request(admin_world, "flags", origin=SHOP)
    assert response.headers["access-control-allow-origin"] == "*"
