"""``flagcore quota show|set ORG``: by id or name, the API's shape, one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.servers import run_cli


def test_quota_set_and_show_by_id_and_by_name(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'q.db'}"
    assert run_cli("migrate", env=env).returncode == 0
    org = json.loads(run_cli("init", "--json", env=env).stdout)["organization_id"]
    put = run_cli("quota", "set", org, "--limit", "5", "--grace-days", "0", env=env)
    assert put.returncode == 0, put.stderr
    assert json.loads(put.stdout)["feature_flag_requests"]["limit"] == 5
    shown = json.loads(run_cli("quota", "show", "Default Organization", env=env).stdout)["feature_flag_requests"]
    assert (shown["limit"], shown["grace_period_days"], shown["usage"]) == (5, 0, 0)
    removed = run_cli("quota", "set", org, "--limit", "none", env=env)
    assert json.loads(removed.stdout)["feature_flag_requests"]["limit"] is None
    assert json.loads(removed.stdout)["feature_flag_requests"]["grace_period_days"] == 2
    missing = run_cli("quota", "show", "nobody", env=env)
    assert (missing.returncode, missing.stderr) == (1, "flagcore quota: no organization with id or name 'nobody'\n")
    bad = run_cli("quota", "set", org, "--limit", "-1", env=env)
    assert bad.returncode == 2
    assert bad.stderr.startswith("flagcore quota set: limit: ")
