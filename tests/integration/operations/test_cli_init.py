"""``flagcore init --json [--organization] [--project] [--email]``: idempotent tenants, one JSON object per run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.servers import run_cli


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'init.db'}"
    return env


def _init(env: dict[str, str], *args: str) -> dict[str, Any]:
    result = run_cli("init", "--json", *args, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_init_with_options_finds_or_creates_the_tenant(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    default = _init(env)
    assert set(default) == {
        "organization_id",
        "project_id",
        "project_api_key",
        "project_secret_api_key",
        "personal_api_key",
        "user_id",
        "email",
        "password",
    }
    assert default["email"] == "admin@flagcore.local"
    acme = _init(env, "--organization", "Acme", "--project", "Web", "--email", "ops@acme.test")
    assert acme["organization_id"] != default["organization_id"]
    assert acme["user_id"] != default["user_id"]
    assert acme["personal_api_key"].startswith("phx_")
    assert acme["project_secret_api_key"].startswith("phs_")
    again = _init(env, "--organization", "Acme", "--project", "Web", "--email", "ops@acme.test")
    assert {k: again[k] for k in ("organization_id", "project_id", "project_api_key", "user_id")} == {
        k: acme[k] for k in ("organization_id", "project_id", "project_api_key", "user_id")
    }
    assert "project_secret_api_key" not in again  # shown once, when the project was created
    assert again["personal_api_key"] != acme["personal_api_key"]
    joiner = _init(env, "--organization", "Acme", "--email", "dev@acme.test")
    assert (joiner["organization_id"], joiner["project_id"]) == (acme["organization_id"], acme["project_id"])
    assert joiner["user_id"] not in {acme["user_id"], default["user_id"]}
    # Without options: the default tenant, as before.
    assert _init(env)["project_id"] == default["project_id"]


def test_init_refuses_bad_options_in_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    result = run_cli("init", "--json", "--email", "not-an-email", env=env)
    assert result.returncode == 2
    assert result.stderr == "flagcore init: email: Enter a valid email address.\n"
    assert result.stdout == ""


def test_init_generates_a_ui_password_once_and_sets_the_one_given(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert run_cli("migrate", env=env).returncode == 0
    first = _init(env)
    assert len(first["password"]) >= 8
    assert "password" not in _init(env)  # shown once: the next run leaves it as it is
    given = _init(env, "--email", "ops@acme.test", "--password", "s3cret-passw0rd")
    assert given["email"] == "ops@acme.test"
    assert "password" not in given  # the operator chose it: not echoed
    refused = run_cli("init", "--json", "--email", "new@acme.test", "--password", "short", env=env)
    assert refused.returncode == 2
    assert refused.stderr == "flagcore init: password: Ensure this field has at least 8 characters.\n"
