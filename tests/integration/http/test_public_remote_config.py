"""``/array/{token}/config``, ``config.js`` and ``array.js`` (spec §9): public, per token, no flag data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error


async def test_config_says_whether_the_project_has_active_flags(world: World) -> None:
    url = f"/array/{world.project_api_key}/config"
    empty = await world.client.get(url)
    assert empty.status_code == 200
    assert empty.headers["vary"].startswith("Origin")
    body = empty.json()
    assert (body["token"], body["hasFeatureFlags"]) == (world.project_api_key, False)
    assert body["supportedCompression"] == ["gzip", "gzip-js"]
    assert body["sessionRecording"] is False
    assert body["defaultIdentifiedOnly"] is True
    off = await create(world, "off", active=False)
    assert (await world.client.get(url)).json()["hasFeatureFlags"] is False
    await world.client.patch(world.url(str(off["id"])), json={"active": True}, headers=world.auth())
    configured = (await world.client.get(url)).json()
    assert configured["hasFeatureFlags"] is True
    assert "off" not in json.dumps(configured)  # no flag keys, values or definitions


async def test_config_js_sets_the_window_config(world: World) -> None:
    response = await world.client.get(f"/array/{world.project_api_key}/config.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert f"window._POSTHOG_REMOTE_CONFIG['{world.project_api_key}'] = " in response.text
    assignment = f"['{world.project_api_key}'] = "
    config = json.loads(response.text.split(assignment, 1)[1].split(";\n", 1)[0])
    assert config["config"]["token"] == world.project_api_key


async def test_array_js_without_a_bundle_says_how_to_configure_it(world: World) -> None:
    response = await world.client.get(f"/array/{world.project_api_key}/array.js")
    status, _type, _code, _attr = error(response)
    assert status == 404
    assert "FLAGCORE_POSTHOG_JS_PATH" in response.json()["detail"]


BUNDLE = Path(__file__).with_name("fake_array_bundle.js")


@pytest.mark.world_settings(posthog_js_path=str(BUNDLE))
async def test_array_js_serves_the_bundle_then_the_config(world: World) -> None:
    response = await world.client.get(f"/array/{world.project_api_key}/array.js")
    assert response.status_code == 200
    assert response.text.startswith(BUNDLE.read_text())
    assert "window._POSTHOG_REMOTE_CONFIG" in response.text
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("suffix", ["config", "config.js", "array.js"])
async def test_bad_and_unknown_tokens(world: World, suffix: str) -> None:
    bad = await world.client.get(f"/array/{'a' * 201}/{suffix}")
    assert error(bad)[:2] == (400, "validation_error")
    assert bad.json()["detail"] == "Invalid token"
    weird = await world.client.get(f"/array/phc%3Cscript%3E/{suffix}")
    assert weird.status_code == 400
    unknown = await world.client.get(f"/array/phc_unknown/{suffix}")
    assert error(unknown)[0] == 404
    secret = await world.client.get(f"/array/{world.secret_key}/{suffix}")
    assert error(secret)[0] == 404  # only the public token names a project here


async def test_cors_is_open_for_posthog_js(world: World) -> None:
    response = await world.client.get(
        f"/array/{world.project_api_key}/config", headers={"Origin": "https://shop.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
