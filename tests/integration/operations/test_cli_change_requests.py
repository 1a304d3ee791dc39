"""``flagcore change-requests expire``: expires what is due, once, and prints what it did."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flagcore.adapters.sqlalchemy import create_engine, create_sessionmaker
from flagcore.adapters.sqlalchemy.approvals import SqlChangeRequestRepo
from flagcore.domain.approvals import ChangeRequest, ChangeRequestState
from tests.servers import run_cli


async def _add_due_request(url: str, organization_id: str, project_id: int) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        await SqlChangeRequestRepo(create_sessionmaker(engine)).add(
            ChangeRequest(
                id="0195f0d4-0000-7000-8000-0000000000aa",
                organization_id=organization_id,
                project_id=project_id,
                action_key="feature_flag.enable",
                resource_id="1",
                intent={},
                policy_snapshot={},
                created_by_id=None,
                created_at=now - timedelta(days=15),
                updated_at=now,
                expires_at=now - timedelta(days=1),
            )
        )
    finally:
        await engine.dispose()


async def _state(url: str, project_id: int) -> ChangeRequestState | None:
    engine = create_engine(url)
    try:
        found = await SqlChangeRequestRepo(create_sessionmaker(engine)).get(
            project_id, "0195f0d4-0000-7000-8000-0000000000aa"
        )
    finally:
        await engine.dispose()
    return found.state if found is not None else None


def test_expire_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    url = f"sqlite+aiosqlite:///{tmp_path / 'cr.db'}"
    env["FLAGCORE_DATABASE_URL"] = url
    assert run_cli("migrate", env=env).returncode == 0
    made = json.loads(run_cli("init", "--json", env=env).stdout)
    asyncio.run(_add_due_request(url, made["organization_id"], made["project_id"]))
    first = run_cli("change-requests", "expire", env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"expired": 1, "stale": 0}
    assert json.loads(run_cli("change-requests", "expire", env=env).stdout) == {"expired": 0, "stale": 0}
    assert asyncio.run(_state(url, made["project_id"])) is ChangeRequestState.EXPIRED
