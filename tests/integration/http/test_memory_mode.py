from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from flagcore.app.main import create_app
from flagcore.app.settings import Settings


async def test_memory_storage_bootstraps_itself_and_prints_the_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    async with AsyncTestClient(create_app(settings=Settings(database_url="memory://"))) as client:
        printed = capsys.readouterr().out
        keys = dict(line.split()[:2] for line in printed.splitlines() if line.startswith("  "))
        personal = keys["personal_api_key:"]
        created = await client.post(
            "/api/projects/@current/feature_flags/",
            json={"key": "m", "filters": {"groups": [{"rollout_percentage": 100}]}},
            headers={"Authorization": f"Bearer {personal}"},
        )
        assert created.status_code == 201
        flags = await client.post("/flags?v=2", json={"token": keys["project_api_key:"], "distinct_id": "u"})
        assert flags.json()["flags"]["m"]["enabled"] is True
