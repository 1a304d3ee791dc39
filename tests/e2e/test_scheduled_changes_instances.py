"""Scheduled changes with real servers: two instances on one PostgreSQL run each due change exactly once, and
``flagcore scheduled-changes run`` runs due changes for deployments that leave it to cron."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.servers import run_cli, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
BOOLEAN = {"groups": [{"properties": [], "rollout_percentage": 100}]}
CONDITION = {"operation": "add_release_condition", "value": {"groups": [{"properties": [], "rollout_percentage": 5}]}}
CHANGES = 24
APPLIED = re.compile(r"scheduled change (\d+) applied")


#: ``flagcore scheduled-changes run``'s report when nothing was due.
NOTHING = {"applied": 0, "failed": 0, "finished": 0, "awaiting_approval": 0, "approval_requested": 0}


def _env(database_url: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    return env | {
        "FLAGCORE_DATABASE_URL": database_url,
        "FLAGCORE_LOG_LEVEL": "info",
        "FLAGCORE_ACCESS_LOG": "false",
        **settings,
    }


def _init(env: dict[str, str]) -> dict[str, Any]:
    assert run_cli("migrate", env=env).returncode == 0
    init = run_cli("init", "--json", env=env)
    assert init.returncode == 0, init.stderr
    credentials: dict[str, Any] = json.loads(init.stdout)
    return credentials


def _schedule(client: httpx.Client, flag_id: int, at: datetime, payload: dict[str, Any]) -> int:
    body = {"record_id": str(flag_id), "model_name": "FeatureFlag", "payload": payload, "scheduled_at": at.isoformat()}
    response = client.post("/api/projects/@current/scheduled_changes/", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _flag(client: httpx.Client, key: str) -> int:
    made = client.post("/api/projects/@current/feature_flags/", json={"key": key, "filters": BOOLEAN})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _all_executed(client: httpx.Client, deadline_s: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        results: list[dict[str, Any]] = client.get(
            "/api/projects/@current/scheduled_changes/", params={"limit": "1000"}
        ).json()["results"]
        if results and all(r["executed_at"] is not None for r in results):
            return results
        time.sleep(0.1)
    pytest.fail("the due scheduled changes were not all executed in time")


@pytest.mark.postgres
def test_two_instances_run_each_due_change_exactly_once(postgres_database: Callable[[str], str]) -> None:
    env = _env(postgres_database("scheduled_instances"), FLAGCORE_SCHEDULED_CHANGES_INTERVAL_S="0.1")
    credentials = _init(env)
    with (
        tempfile.TemporaryDirectory() as logs,
        (Path(logs) / "a.log").open("wb") as log_a,
        (Path(logs) / "b.log").open("wb") as log_b,
        running_server(env, stderr=log_a) as first,
        running_server(env, stderr=log_b) as second,
    ):
        a = Server(base_url=first, credentials=credentials, env=env).client()
        b = Server(base_url=second, credentials=credentials, env=env).client()
        flags = [_flag(a, f"scheduled-{i}") for i in range(CHANGES)]
        # All due at one instant a little ahead, so both workers find them due together and race for them.
        at = datetime.now(UTC) + timedelta(seconds=3)
        for i, flag_id in enumerate(flags):
            payload = CONDITION if i % 2 else {"operation": "update_status", "value": False}
            _schedule(a if i % 2 else b, flag_id, at, payload)
        results = _all_executed(b, deadline_s=30)
        assert all(r["failure_reason"] is None for r in results), results
        for i, flag_id in enumerate(flags):
            flag = a.get(f"/api/projects/@current/feature_flags/{flag_id}/").json()
            assert flag["version"] == 2, flag  # one write: a second run would have made it 3
            if i % 2:
                assert len(flag["filters"]["groups"]) == 2, flag  # appended once
            else:
                assert flag["active"] is False
            activity = a.get(f"/api/projects/@current/feature_flags/{flag_id}/activity/").json()
            assert [e["activity"] for e in activity["results"]] == ["updated", "created"]
        time.sleep(0.5)  # a few more ticks of both workers: nothing runs again
        log_a.flush()
        log_b.flush()
        by_instance = [APPLIED.findall((Path(logs) / name).read_text()) for name in ("a.log", "b.log")]
    runs = Counter(change for applied in by_instance for change in applied)
    print(f"instance A applied {len(by_instance[0])} changes, instance B {len(by_instance[1])}")  # noqa: T201
    assert len(runs) == CHANGES
    assert set(runs.values()) == {1}


def test_the_cli_runs_due_changes_once(tmp_path: Path) -> None:
    env = _env(f"sqlite+aiosqlite:///{tmp_path / 'cron.db'}", FLAGCORE_SCHEDULED_CHANGES_ENABLED="false")
    credentials = _init(env)
    with running_server(env) as base_url:
        client = Server(base_url=base_url, credentials=credentials, env=env).client()
        flag_id = _flag(client, "cron")
        change_id = _schedule(
            client, flag_id, datetime.now(UTC) - timedelta(minutes=1), {"operation": "update_status", "value": False}
        )
        _schedule(client, flag_id, datetime.now(UTC) + timedelta(days=1), {"operation": "update_status", "value": True})
        time.sleep(0.3)  # the server's worker is off: nothing runs
        assert client.get(f"/api/projects/@current/feature_flags/{flag_id}/").json()["active"] is True
        ran = run_cli("scheduled-changes", "run", env=env)
        assert ran.returncode == 0, ran.stderr
        assert json.loads(ran.stdout) == {**NOTHING, "applied": 1}
        assert client.get(f"/api/projects/@current/feature_flags/{flag_id}/").json()["active"] is False
        change = client.get(f"/api/projects/@current/scheduled_changes/{change_id}/").json()
        assert change["executed_at"] is not None
        again = run_cli("scheduled-changes", "run", env=env)
        assert json.loads(again.stdout) == NOTHING
