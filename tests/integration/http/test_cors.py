from __future__ import annotations

import pytest

from tests.integration.http.conftest import World

ORIGIN = "https://shop.example.com"


@pytest.mark.parametrize("path", ["/flags/?v=2", "/decide/?v=3"])
async def test_browser_sdks_may_call_evaluation_from_any_origin(world: World, path: str) -> None:
    body = {"token": world.project_api_key, "distinct_id": "u"}
    response = await world.client.post(path, json=body, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


async def test_preflight_is_answered(world: World) -> None:
    response = await world.client.options(
        "/flags/?v=2",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code in {200, 204}
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
