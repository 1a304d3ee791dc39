from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Server, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_init_json_prints_credentials_once_and_is_idempotent(server: Server) -> None:
    first = server.credentials
    assert first["project_api_key"].startswith("phc_")
    assert first["project_secret_api_key"].startswith("phs_")
    assert first["personal_api_key"].startswith("phx_")
    again = run_cli("init", "--json", env=server.env)
    second = json.loads(again.stdout)
    assert second["project_id"] == first["project_id"]
    assert second["organization_id"] == first["organization_id"]
    assert "project_secret_api_key" not in second  # shown only when the project is created
    assert second["personal_api_key"] != first["personal_api_key"]  # a fresh key each run
    quiet = run_cli("init", "--if-new", env=server.env)
    assert "already initialised" in quiet.stdout
    assert "phx_" not in quiet.stdout


def test_create_list_update_over_real_http(server: Server) -> None:
    with server.client() as client:
        created = client.post(
            "/api/projects/@current/feature_flags/",
            json={"key": "e2e-flag", "filters": {"groups": [{"properties": [], "rollout_percentage": 30}]}},
        )
        assert created.status_code == 201, created.text
        flag = created.json()
        listing = client.get("/api/projects/@current/feature_flags?search=e2e")
        assert [f["key"] for f in listing.json()["results"]] == ["e2e-flag"]
        updated = client.patch(
            f"/api/projects/{server.credentials['project_id']}/feature_flags/{flag['id']}/",
            json={"version": 1, "active": False},
        )
        assert updated.json()["version"] == 2
        stale = client.patch(f"/api/projects/@current/feature_flags/{flag['id']}", json={"version": 1, "name": "x"})
        assert stale.status_code == 409


def test_every_key_from_init_authenticates(server: Server) -> None:
    newest = json.loads(run_cli("init", "--json", env=server.env).stdout)["personal_api_key"]
    with server.client() as client:
        response = client.get("/api/projects/@current/feature_flags/", headers={"Authorization": f"Bearer {newest}"})
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FLAGCORE_PORT", "eighty", "FLAGCORE_PORT"),
        ("FLAGCORE_DATABASE_URL", "oracle://nope", "FLAGCORE_DATABASE_URL"),
        ("FLAGCORE_WORKERS", "0", "FLAGCORE_WORKERS"),
    ],
)
def test_bad_settings_stop_start_up_with_a_clear_message(
    server: Server, variable: str, value: str, message: str
) -> None:
    result = run_cli("serve", env={**server.env, variable: value})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
