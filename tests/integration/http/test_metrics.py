"""``/metrics`` after traffic: requests by route template (never the raw path), evaluations, tiers, the pool."""

from __future__ import annotations

import re
from typing import Final

import pytest
from litestar.testing import AsyncTestClient

from flagcore.app.main import create_app
from flagcore.app.settings import Settings
from tests.integration.http.conftest import World

BOOLEAN = {"groups": [{"properties": [], "rollout_percentage": 100}]}
NOBODY = {"groups": [{"properties": [], "rollout_percentage": 0}]}


def _samples(text: str) -> dict[str, float]:
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


async def _traffic(world: World) -> int:
    created = await world.client.post(world.url(), json={"key": "on", "filters": BOOLEAN}, headers=world.auth())
    assert created.status_code == 201
    await world.client.post(world.url(), json={"key": "off", "filters": NOBODY}, headers=world.auth())
    flag_id: int = created.json()["id"]
    assert (await world.client.get(world.url(f"{flag_id}/"), headers=world.auth())).status_code == 200
    assert (await world.client.get(world.url("987654/"), headers=world.auth())).status_code == 404
    assert (await world.client.get("/no/such/path/12345")).status_code == 404
    for index in range(3):
        body = {"api_key": world.project_api_key, "distinct_id": f"user-{index}"}
        assert (await world.client.post("/flags?v=2", json=body)).status_code == 200
    return flag_id


EVALUATED: Final = 'flagcore_flag_evaluations_total{reason="condition_match"}'


async def _evaluate(world: World, count: int, *, between: str | None = None) -> None:
    """``count`` ``POST /flags`` requests (each followed by a ``GET`` of ``between``, when given)."""
    for index in range(count):
        body = {"api_key": world.project_api_key, "distinct_id": f"user-{index}"}
        assert (await world.client.post("/flags?v=2", json=body)).status_code == 200
        if between is not None:
            assert (await world.client.get(between)).status_code == 200


async def _scrape(world: World) -> dict[str, float]:
    return _samples((await world.client.get("/metrics")).text)


@pytest.mark.world_settings(metrics_evaluation_sample=1)
async def test_metrics_count_requests_by_route_template(world: World) -> None:
    flag_id = await _traffic(world)
    response = await world.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    samples = _samples(text)
    flag_route = "/api/projects/{project_id}/feature_flags/{flag_id}"
    assert samples[f'flagcore_http_requests_total{{method="GET",route="{flag_route}",status="200"}}'] == 1
    assert samples[f'flagcore_http_requests_total{{method="GET",route="{flag_route}",status="404"}}'] == 1
    assert samples['flagcore_http_requests_total{method="POST",route="/flags",status="200"}'] == 3
    assert samples['flagcore_http_requests_total{method="GET",route="<unmatched>",status="404"}'] == 1
    assert samples['flagcore_http_request_duration_seconds_count{method="POST",route="/flags"}'] == 3
    # Raw paths (ids, unknown paths) never become label values: every route label is a template of the app.
    templates = {route.path_format for route in world.client.app.routes} | {"<unmatched>"}
    assert set(re.findall(r'route="([^"]*)"', text)) <= templates
    assert f"/{flag_id}" not in text
    assert "987654" not in text
    assert "/no/such/path" not in text
    # Two flags per request: one matched its condition, one fell outside its rollout.
    assert samples['flagcore_flag_evaluations_total{reason="condition_match"}'] == 3
    assert samples['flagcore_flag_evaluations_total{reason="out_of_rollout_bound"}'] == 3
    # The counters /_status shows: the first /flags built the snapshot from the database.
    assert samples['flagcore_snapshot_cache_misses_total{tier="memory"}'] >= 1
    assert samples['flagcore_snapshot_cache_hits_total{tier="db"}'] >= 1
    assert samples['flagcore_snapshot_build_seconds_count{kind="evaluation"}'] >= 1
    assert samples['flagcore_snapshot_size_bytes_count{kind="evaluation"}'] >= 1
    assert "flagcore_credentials_served_stale_total" in samples


@pytest.mark.world_settings(metrics_evaluation_sample=4)
async def test_evaluations_are_sampled_one_request_in_n(world: World) -> None:
    """1 in 4 sampled: 16 consecutive /flags requests count the results of exactly 4, each standing for 4 results."""
    await world.client.post(world.url(), json={"key": "on", "filters": BOOLEAN}, headers=world.auth())
    before = await _scrape(world)
    await _evaluate(world, 16)
    after = await _scrape(world)
    assert after[EVALUATED] - before.get(EVALUATED, 0) == 16
    assert after['flagcore_http_requests_total{method="POST",route="/flags",status="200"}'] == 16  # always exact
    # Counted are whole requests: 3 more /flags may or may not include the next sampled one, never a part of it.
    await _evaluate(world, 3)
    later = await _scrape(world)
    assert later[EVALUATED] - after[EVALUATED] in (0, 4)


@pytest.mark.world_settings(metrics_evaluation_sample=2)
async def test_the_sample_counts_evaluation_requests_only(world: World) -> None:
    """Other routes between evaluations do not move the sample (a repeating pattern could lock it onto them)."""
    await world.client.post(world.url(), json={"key": "on", "filters": BOOLEAN}, headers=world.auth())
    before = await _scrape(world)
    await _evaluate(world, 10, between="/_health")
    after = await _scrape(world)
    assert after[EVALUATED] - before.get(EVALUATED, 0) == 10  # 5 of the 10 counted, each standing for 2


async def test_metrics_show_the_status_counters_and_the_database_pool(world: World, storage_url: str) -> None:
    await _traffic(world)
    samples = _samples((await world.client.get("/metrics")).text)
    status = (await world.client.get("/_status")).json()
    for tier, counters in status["snapshot_tiers"].items():
        assert samples[f'flagcore_snapshot_cache_hits_total{{tier="{tier}"}}'] == counters["hits"]
        assert samples[f'flagcore_snapshot_cache_errors_total{{tier="{tier}"}}'] == counters["failures"]
    if storage_url != "memory://":  # SQL storage: the engine's pool
        assert samples["flagcore_db_pool_size"] >= 1
        assert samples["flagcore_db_pool_checked_out"] == 0  # nothing in flight while scraping


async def test_an_operator_token_restricts_metrics_and_status() -> None:
    settings = Settings(database_url="memory://", metrics_token="s3cret-operator-token")
    async with AsyncTestClient(create_app(settings=settings)) as client:
        for path in ("/metrics", "/_status"):
            denied = await client.get(path)
            assert denied.status_code == 401
            assert denied.json()["type"] == "authentication_error"
            assert (await client.get(path, headers={"Authorization": "Bearer wrong"})).status_code == 401
            allowed = await client.get(path, headers={"Authorization": "Bearer s3cret-operator-token"})
            assert allowed.status_code == 200
        # Liveness and readiness stay public: load balancers carry no token.
        assert (await client.get("/_health")).status_code == 200
        assert (await client.get("/_ready")).status_code == 200
        assert re.search("s3cret", (await client.get("/_ready")).text) is None


async def test_metrics_can_be_switched_off() -> None:
    async with AsyncTestClient(create_app(settings=Settings(database_url="memory://", metrics=False))) as client:
        assert (await client.get("/metrics")).status_code == 404
        assert (await client.get("/_health")).status_code == 200
