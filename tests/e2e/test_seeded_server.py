"""Seeded, disposable servers: start-up refuses bad seeds with file, path and reason; export and re-serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import free_port, run_cli, running_server

pytestmark = pytest.mark.e2e

KEY = "phx_acmekey000001"
PLAN_IS_PRO = {"key": "plan", "type": "person", "operator": "exact", "value": ["pro"]}
IN_COHORT = {"key": "id", "type": "cohort", "value": 41}
BASE_IS_ON = {"key": "base", "type": "flag", "value": True, "operator": "flag_evaluates_to"}
ROLLOUT = {"groups": [{"properties": [], "rollout_percentage": 100}]}
SEED: dict[str, Any] = {
    "organizations": [
        {
            "name": "Acme",
            "users": [{"email": "a@acme.test", "level": "owner", "personal_api_keys": [{"value": KEY}]}],
            "projects": [
                {
                    "name": "Web",
                    "api_token": "phc_acmetoken00001",
                    "secret_api_keys": ["phs_acmesecret0001"],
                    "timezone": "Europe/Paris",
                    "group_types": ["company"],
                    "persons": [{"distinct_ids": ["u1"], "properties": {"plan": "pro"}}],
                    "cohorts": [
                        {
                            "id": 41,
                            "name": "Pros",
                            "filters": {
                                "properties": {
                                    "type": "OR",
                                    "values": [{"type": "AND", "values": [PLAN_IS_PRO]}],
                                }
                            },
                        }
                    ],
                    "flags": [
                        {"key": "base", "filters": ROLLOUT, "tags": ["core"]},
                        {"key": "pros", "filters": {"groups": [{"properties": [IN_COHORT]}]}},
                        {
                            "key": "child",
                            "filters": {"groups": [{"properties": [BASE_IS_ON]}]},
                        },
                        {
                            "key": "split",
                            "filters": {
                                "groups": [{"properties": [], "rollout_percentage": 60}],
                                "multivariate": {"variants": [{"key": v, "rollout_percentage": 50} for v in "ab"]},
                                "payloads": {"a": '{"x": 1}'},
                            },
                        },
                    ],
                }
            ],
        }
    ]
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env.update(extra)
    return env


def _serve_exits(seed: Path) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "flagcore", "serve", "--memory", "--seed", str(seed), "--port", str(free_port())]
    return subprocess.run(args, env=_env(), capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


def _feed(base_url: str, secret: str) -> httpx.Response:
    response = httpx.get(
        f"{base_url}/api/feature_flag/local_evaluation?send_cohorts",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response


def test_a_malformed_seed_stops_start_up_naming_file_path_and_reason(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"organizations": [{"name": "A", "projects": [{"name": "W", "api_token": "x"}]}]}))
    done = _serve_exits(seed)
    assert done.returncode == 2
    assert f"seed {seed}: $.organizations[0].projects[0].api_token: Expected `str` matching regex" in done.stderr


def test_a_seed_breaking_a_flag_rule_stops_start_up(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "organizations:\n  - name: A\n    projects:\n      - name: W\n"
        "        flags:\n          - key: ok\n          - key: 'not ok'\n"
    )
    done = _serve_exits(seed)
    assert done.returncode != 0
    assert f"seed {seed}: $.organizations[0].projects[0].flags[1].key: Only letters" in done.stdout + done.stderr


def test_export_then_serve_from_the_export_gives_the_same_feed(tmp_path: Path) -> None:
    seed, exported = tmp_path / "seed.json", tmp_path / "exported.json"
    seed.write_text(json.dumps(SEED))
    database = _env(FLAGCORE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'flagcore.db'}")
    assert run_cli("migrate", env=database).returncode == 0
    loaded = run_cli("seed", "load", str(seed), env=database)
    assert loaded.returncode == 0, loaded.stderr
    with running_server(database) as base_url:
        original = _feed(base_url, "phs_acmesecret0001")
    done = run_cli("seed", "export", "--project", "1", "--with-test-keys", "-o", str(exported), env=database)
    assert done.returncode == 0, done.stderr
    project = json.loads(exported.read_text())["organizations"][0]["projects"][0]
    assert project["secret_api_keys"][0].startswith("phs_")
    assert project["secret_api_keys"][0] != "phs_acmesecret0001"  # secrets never leave: a fresh test key
    with running_server(_env(FLAGCORE_DATABASE_URL="memory://", FLAGCORE_SEED=str(exported))) as base_url:
        replayed = _feed(base_url, project["secret_api_keys"][0])
    assert replayed.headers["etag"] == original.headers["etag"]
    assert replayed.json() == original.json()


def test_an_export_without_test_keys_holds_placeholders_that_stop_start_up(tmp_path: Path) -> None:
    seed, exported = tmp_path / "seed.json", tmp_path / "exported.json"
    seed.write_text(json.dumps(SEED))
    database = _env(FLAGCORE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'flagcore.db'}")
    assert run_cli("migrate", env=database).returncode == 0
    assert run_cli("seed", "load", str(seed), env=database).returncode == 0
    assert run_cli("seed", "export", "--project", "1", "-o", str(exported), env=database).returncode == 0
    assert "phs_acmesecret0001" not in exported.read_text()
    done = _serve_exits(exported)
    assert done.returncode == 2
    assert "placeholder" in done.stderr


def test_seed_load_refuses_a_broken_seed_before_writing_anything(tmp_path: Path) -> None:
    """The last flag breaks a rule: nothing of the seed reaches the database (it is tried in memory first)."""
    broken = json.loads(json.dumps(SEED))
    project = broken["organizations"][0]["projects"][0]
    project["flags"].append({"key": "bad key with spaces", "filters": ROLLOUT})
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(broken))
    database = _env(FLAGCORE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'flagcore.db'}")
    assert run_cli("migrate", env=database).returncode == 0
    refused = run_cli("seed", "load", str(seed), env=database)
    assert refused.returncode == 2
    assert "flags" in refused.stderr
    assert "seeded" not in refused.stdout
    # The organization, its keys and the flags before the bad one are not in the database: a fixed seed loads.
    (tmp_path / "fixed.json").write_text(json.dumps(SEED))
    fixed = run_cli("seed", "load", str(tmp_path / "fixed.json"), env=database)
    assert fixed.returncode == 0, fixed.stderr
