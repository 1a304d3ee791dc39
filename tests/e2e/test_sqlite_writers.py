"""Concurrent writers on SQLite queue instead of failing, across the workers of one server (issue 17).

Before the unit of work, 50 concurrent unversioned PATCHes of a large flag on SQLite answered 33 x 503 (``database
is locked``) and 20 concurrent creates of one key 8 x 503: writers polled SQLite's busy handler with a 5 s timeout.
Writers now queue per process before they take a connection, hold the write lock for their whole transaction
(``BEGIN IMMEDIATE``), and wait up to 30 s for another process's writer.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import httpx
import pytest

from tests.servers import run_cli, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# A flag heavy enough that each write takes a while, yet within the limits (100 condition sets of 60 properties,
# about 440 KB of filters), so writers really overlap. On the code before the unit of work this gave 503s.
HEAVY = {
    "groups": [
        {
            "properties": [
                {"key": f"p{i}-{j}", "type": "person", "operator": "exact", "value": f"v{j}"} for j in range(60)
            ]
        }
        for i in range(100)
    ]
}


async def _patches(base_url: str, key: str, flag_id: int, count: int) -> list[int]:
    headers = {"Authorization": f"Bearer {key}"}
    url = f"{base_url}/api/projects/@current/feature_flags/{flag_id}/"
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=count)) as client:
        responses = await asyncio.gather(
            *(client.patch(url, json={"name": f"n{i}", "filters": HEAVY}, headers=headers) for i in range(count))
        )
    return [response.status_code for response in responses]


async def _creates(base_url: str, key: str, count: int) -> list[int]:
    headers = {"Authorization": f"Bearer {key}"}
    url = f"{base_url}/api/projects/@current/feature_flags/"
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=count)) as client:
        responses = await asyncio.gather(
            *(client.post(url, json={"key": "same", "filters": HEAVY}, headers=headers) for _ in range(count))
        )
    return [response.status_code for response in responses]


def test_concurrent_writers_on_two_workers_queue_and_none_gets_503(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}"
    assert run_cli("migrate", env=env).returncode == 0
    init = run_cli("init", "--json", env=env)
    assert init.returncode == 0, init.stderr
    key = json.loads(init.stdout)["personal_api_key"]
    with running_server(env, workers=2) as base_url:
        created = httpx.post(
            f"{base_url}/api/projects/@current/feature_flags/",
            json={"key": "hot", "filters": HEAVY},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        patches = asyncio.run(_patches(base_url, key, created.json()["id"], 50))
        assert patches.count(200) == 50, sorted(patches)
        creates = asyncio.run(_creates(base_url, key, 20))
        assert creates.count(201) == 1, sorted(creates)
        assert set(creates) == {201, 400}, sorted(creates)
        stored = httpx.get(
            f"{base_url}/api/projects/@current/feature_flags/{created.json()['id']}/",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        ).json()
        assert stored["version"] == 51
