"""The conformance kit against flagcore itself, on SQLite and on PostgreSQL: every check passes.

The database is migrated and seeded with ``flagcore seed load`` (the CLI), then served by granian; the kit runs
in-process against it, and once through ``flagcore conformance --json`` for the exit status and the JSON report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flagcore.conformance import Target, run_checks
from flagcore.conformance.report import table
from tests.servers import run_cli, running_server

pytestmark = pytest.mark.e2e

SEED: dict[str, Any] = {
    "organizations": [
        {
            "name": "Conformance",
            "users": [
                {
                    "email": "kit@conformance.test",
                    "level": "owner",
                    "personal_api_keys": [{"value": "phx_kitpersonal001"}],
                }
            ],
            "projects": [
                {
                    "name": "Reference",
                    "api_token": "phc_kitprojecttoken01",
                    "secret_api_keys": ["phs_kitsecretkey00001"],
                    "group_types": ["company"],
                    "flags": [
                        {"key": "alpha", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}},
                        {
                            "key": "beta",
                            "filters": {
                                "groups": [{"properties": [], "rollout_percentage": 30}],
                                "multivariate": {
                                    "variants": [
                                        {"key": "control", "rollout_percentage": 50},
                                        {"key": "test", "rollout_percentage": 50},
                                    ]
                                },
                            },
                        },
                    ],
                }
            ],
        }
    ]
}
TARGET = {
    "project_key": "phc_kitprojecttoken01",
    "personal_key": "phx_kitpersonal001",
    "secret_key": "phs_kitsecretkey00001",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database: Callable[[str], str]
) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    if request.param == "sqlite":
        env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'flagcore.db'}"
    else:
        env["FLAGCORE_DATABASE_URL"] = postgres_database("conformance")
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    loaded = run_cli("seed", "load", str(seed), env=env)
    assert loaded.returncode == 0, loaded.stderr
    with running_server(env) as base_url:
        yield base_url


def test_flagcore_passes_the_kit(seeded_url: str) -> None:
    results = run_checks(Target(url=seeded_url, **TARGET))
    assert [r for r in results if r.status != "passed"] == [], table(results)


def test_the_cli_reports_json_and_exits_zero(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    env.update({"FLAGCORE_DATABASE_URL": "memory://", "FLAGCORE_SEED": str(seed)})
    with running_server(env) as base_url:
        args = ["--url", base_url, "--project-key", TARGET["project_key"], "--personal-key", TARGET["personal_key"]]
        done = run_cli("conformance", *args, "--json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["failed"] == 0
    assert {r["name"] for r in report["results"]} >= {"flags_v2_shape", "feed_etag_304", "public_consistency_vectors"}
