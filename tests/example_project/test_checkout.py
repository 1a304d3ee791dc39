"""The example project's tests: its app, with posthog pointed at a seeded flagcore from the plugin."""

from __future__ import annotations

import httpx
import pytest
from posthog import Posthog

from flagcore.testing import FlagcoreServer, FlagHandle
from flagcore.testing.asgi import asgi_client
from tests.example_project.app import make_app

pytestmark = pytest.mark.e2e


async def _checkout(posthog: Posthog, user: str) -> str:
    transport = httpx.ASGITransport(app=make_app(posthog))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        response = await client.get("/checkout", params={"user": user})
    assert response.status_code == 200
    return response.text


async def test_the_seeded_flag_decides_the_page(posthog_remote: Posthog) -> None:
    assert await _checkout(posthog_remote, "alice") == "checkout: new"
    assert await _checkout(posthog_remote, "bob") == "checkout: old"


def test_the_server_carries_the_seed_keys(flagcore_server: FlagcoreServer) -> None:
    assert flagcore_server.project_api_key == "phc_shopprojecttoken1"
    assert flagcore_server.secret_api_key == "phs_shopsecretkey0001"
    assert flagcore_server.personal_api_key == "phx_shopdevkey0001"
    response = httpx.post(
        f"{flagcore_server.base_url}/flags?v=2", json={"api_key": flagcore_server.project_api_key, "distinct_id": "x"}
    )
    assert response.status_code == 200
    assert response.json()["flags"]["new-checkout"]["enabled"] is False


async def test_a_change_made_during_the_test_reaches_the_next_poll(
    posthog_local: Posthog, flagcore_flags: FlagHandle
) -> None:
    assert await _checkout(posthog_local, "bob") == "checkout: old"  # evaluated locally from the polled feed
    flagcore_flags.create("everyone-banner", rollout_percentage=100)
    flagcore_flags.update("new-checkout", filters={"groups": [{"properties": [], "rollout_percentage": 100}]})
    try:
        posthog_local.load_feature_flags()  # the next poll
        assert await _checkout(posthog_local, "bob") == "checkout: new"
        assert posthog_local.feature_enabled("everyone-banner", "bob", only_evaluate_locally=True) is True
        flagcore_flags.roll_out("everyone-banner", 0)
        posthog_local.load_feature_flags()
        assert posthog_local.feature_enabled("everyone-banner", "bob", only_evaluate_locally=True) is False
    finally:  # the server is the session's: leave it as seeded
        flagcore_flags.delete("everyone-banner")
        flagcore_flags.update(
            "new-checkout",
            filters={
                "groups": [
                    {"properties": [{"key": "plan", "type": "person", "value": ["beta"]}], "rollout_percentage": 100}
                ]
            },
        )


async def test_the_app_in_process_serves_the_seed(flagcore_app) -> None:
    async with asgi_client(flagcore_app) as client:
        response = await client.post("/flags?v=2", json={"api_key": "phc_shopprojecttoken1", "distinct_id": "alice"})
        assert response.status_code == 200
        assert response.json()["flags"]["new-checkout"]["enabled"] is True
        feed = await client.get(
            "/api/feature_flag/local_evaluation", headers={"Authorization": "Bearer phs_shopsecretkey0001"}
        )
        assert [flag["key"] for flag in feed.json()["flags"]] == ["new-checkout"]
