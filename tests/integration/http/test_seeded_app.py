"""The app started from a seed (``FLAGCORE_SEED``) with a fixed clock (``FLAGCORE_NOW``): relative dates are fixed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flagcore.app.main import create_app
from flagcore.app.settings import SettingsError, load_settings
from flagcore.testing.asgi import asgi_client

RECENT = {"key": "signed_up", "type": "person", "operator": "is_date_after", "value": "-7d"}
SEED = {
    "organizations": [
        {
            "name": "Clock",
            "projects": [
                {
                    "name": "P",
                    "api_token": "phc_clocktoken0001",
                    "flags": [{"key": "recent", "filters": {"groups": [{"properties": [RECENT]}]}}],
                }
            ],
        }
    ]
}


async def _recent(tmp_path: Path, now: str) -> Any:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    environ = {"FLAGCORE_DATABASE_URL": "memory://", "FLAGCORE_SEED": str(seed), "FLAGCORE_NOW": now}
    async with asgi_client(create_app(settings=load_settings(environ))) as client:
        body = {
            "api_key": "phc_clocktoken0001",
            "distinct_id": "u",
            "person_properties": {"signed_up": "2026-01-01T00:00:00Z"},
        }
        response = await client.post("/flags?v=2", json=body)
    assert response.status_code == 200, response.text
    return response.json()["flags"]["recent"]["enabled"]


@pytest.mark.parametrize(("now", "enabled"), [("2026-01-03T00:00:00Z", True), ("2026-02-01T00:00:00+00:00", False)])
async def test_relative_dates_are_measured_from_the_fixed_clock(tmp_path: Path, now: str, enabled: bool) -> None:
    assert await _recent(tmp_path, now) is enabled


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"FLAGCORE_NOW": "yesterday"}, "FLAGCORE_NOW: 'yesterday' is not an ISO 8601 instant"),
        ({"FLAGCORE_NOW": "2026-01-01T00:00:00"}, "has no UTC offset"),
        ({"FLAGCORE_SEED": "seed.json"}, "FLAGCORE_SEED needs FLAGCORE_DATABASE_URL=memory://"),
    ],
)
def test_bad_seed_and_clock_settings_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)
