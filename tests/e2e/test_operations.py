"""A real ``flagcore serve``: access log lines (text and JSON), metrics across granian workers, readiness."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import run_cli, running_server

pytestmark = pytest.mark.e2e
BOOLEAN = {"groups": [{"properties": [], "rollout_percentage": 100}]}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def _env(tmp_path: Path, **settings: str) -> tuple[dict[str, str], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLAGCORE_", "PROMETHEUS_"))}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'flagcore.db'}"
    env.update({f"FLAGCORE_{name.upper()}": value for name, value in settings.items()})
    assert run_cli("migrate", env=env).returncode == 0
    init = run_cli("init", "--json", env=env)
    assert init.returncode == 0, init.stderr
    return env, json.loads(init.stdout)


def _traffic(base_url: str, creds: dict[str, Any]) -> dict[str, Any]:
    """A flag, then one ``/flags`` call carrying every kind of secret in places a careless log would copy."""
    personal = {"Authorization": f"Bearer {creds['personal_api_key']}"}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        created = client.post(
            "/api/projects/@current/feature_flags/", json={"key": "on", "filters": BOOLEAN}, headers=personal
        )
        assert created.status_code == 201
        assert (
            client.get(f"/api/projects/@current/feature_flags/{created.json()['id']}/", headers=personal).status_code
            == 200
        )
        body = {"api_key": creds["project_api_key"], "distinct_id": "secret-person@example.com"}
        response = client.post(f"/flags?v=2&token={creds['project_api_key']}", json=body, headers=personal)
        assert response.status_code == 200
        return response.json()  # type: ignore[no-any-return]


def _secrets(creds: dict[str, Any]) -> list[str]:
    return [creds["personal_api_key"], creds["project_api_key"], creds["project_secret_api_key"], "secret-person"]


def _lines(path: Path, logger: str, count: int) -> list[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in path.read_text().splitlines() if logger in line]
        if len(lines) >= count:
            return lines
        time.sleep(0.1)
    pytest.fail(f"fewer than {count} {logger} lines in {path.read_text()!r}")


def test_text_access_lines(tmp_path: Path) -> None:
    env, creds = _env(tmp_path)
    log = tmp_path / "server.log"
    with log.open("wb") as stderr, running_server(env, stderr=stderr) as base_url:
        answer = _traffic(base_url, creds)
        lines = _lines(log, "flagcore.access", 4)  # the health probes of the start, and the three requests
    text = "\n".join(lines)
    for secret in _secrets(creds):
        assert secret not in text
    assert "?" not in text  # never a query string
    flags_line = next(line for line in lines if " POST /flags " in line)
    pattern = rf"^\S+ \S+ INFO flagcore\.access POST /flags 200 \d+\.\dms requestId=({UUID})$"
    match = re.match(pattern, flags_line)
    assert match is not None, flags_line
    assert match.group(1) == answer["requestId"]
    templated = [line for line in lines if " GET /api/projects/{project_id}/feature_flags/{flag_id} 200 " in line]
    assert len(templated) == 1


def test_json_access_lines(tmp_path: Path) -> None:
    env, creds = _env(tmp_path, log_format="json")
    log = tmp_path / "server.log"
    with log.open("wb") as stderr, running_server(env, stderr=stderr) as base_url:
        answer = _traffic(base_url, creds)
        lines = _lines(log, '"flagcore.access"', 4)
    for secret in _secrets(creds):
        assert secret not in "\n".join(lines)
    entries = [json.loads(line) for line in lines]
    flags_entry = next(entry for entry in entries if entry["route"] == "/flags")
    assert set(flags_entry) == {
        "ts",
        "level",
        "logger",
        "message",
        "method",
        "route",
        "status",
        "duration_ms",
        "requestId",
    }
    assert (flags_entry["method"], flags_entry["status"], flags_entry["level"]) == ("POST", 200, "INFO")
    assert flags_entry["requestId"] == answer["requestId"]
    assert flags_entry["duration_ms"] > 0
    # Other log lines are JSON too (the start-up ones of the app).
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            json.loads(line)


def test_access_log_can_be_switched_off(tmp_path: Path) -> None:
    env, creds = _env(tmp_path, access_log="false")
    log = tmp_path / "server.log"
    with log.open("wb") as stderr, running_server(env, stderr=stderr) as base_url:
        _traffic(base_url, creds)
    assert "flagcore.access" not in log.read_text()


def test_metrics_add_up_across_workers(tmp_path: Path) -> None:
    env, creds = _env(tmp_path)
    pattern = r'flagcore_http_requests_total\{method="POST",route="/flags",status="200"\} (\S+)'
    with running_server(env, workers=2) as base_url:
        body = {"api_key": creds["project_api_key"], "distinct_id": "u"}
        for _ in range(40):  # a new connection each: spread over both workers
            assert httpx.post(f"{base_url}/flags?v=2", json=body, timeout=10).status_code == 200
        # Whichever worker answers a scrape reads every worker's files; each worker publishes its tallies there
        # every 2 s (the answering one at once), so within seconds every scrape counts all 40.
        counts: list[float] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and counts[-6:] != [40.0] * 6:
            match = re.search(pattern, httpx.get(f"{base_url}/metrics", timeout=10).text)
            counts.append(float(match.group(1)) if match else 0.0)
            time.sleep(0.3)
        assert counts[-6:] == [40.0] * 6, counts
        assert httpx.get(f"{base_url}/_ready", timeout=10).status_code == 200


def test_serve_refuses_an_unmigrated_database_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    result = run_cli("serve", "--port", "1", env=env)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("flagcore serve: FLAGCORE_DATABASE_URL=sqlite+aiosqlite:///")
    assert "run `flagcore migrate`" in result.stderr
