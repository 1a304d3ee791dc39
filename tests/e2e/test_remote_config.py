"""posthog-python's ``get_remote_config_payload`` against a real flagcore with encrypted payloads."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from posthog import Posthog

from tests.e2e.conftest import Server
from tests.servers import run_cli, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SECRET = {"api_key": "sk_live_e2e"}
PLAIN = {"theme": "dark"}


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = Path(tmp_path_factory.mktemp("e2e-rc")) / "flagcore.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{db}"
    env["FLAGCORE_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    assert run_cli("migrate", env=env).returncode == 0
    init = run_cli("init", "--json", env=env)
    assert init.returncode == 0, init.stderr
    with running_server(env) as base_url:
        server = Server(base_url=base_url, credentials=json.loads(init.stdout), env=env)
        with server.client() as client:
            for key, payload, encrypted in (("secret-config", SECRET, True), ("plain-config", PLAIN, False)):
                body = {
                    "key": key,
                    "is_remote_configuration": True,
                    "has_encrypted_payloads": encrypted,
                    "filters": {"groups": [{"rollout_percentage": 100}], "payloads": {"true": json.dumps(payload)}},
                }
                response = client.post("/api/projects/@current/feature_flags/", json=body)
                assert response.status_code == 201, response.text
        yield server


def client_with(server: Server, key: str) -> Posthog:
    return Posthog(
        server.credentials["project_api_key"], host=server.base_url, secret_key=key, send=False, poll_interval=3600
    )


def test_get_remote_config_payload_decrypts_for_a_personal_key(keyed_server: Server) -> None:
    client = client_with(keyed_server, keyed_server.credentials["personal_api_key"])
    try:
        assert json.loads(client.get_remote_config_payload("secret-config")) == SECRET
        assert json.loads(client.get_remote_config_payload("plain-config")) == PLAIN
        assert client.get_remote_config_payload("missing") is None
    finally:
        client.shutdown()


def test_get_remote_config_payload_is_redacted_for_the_secret_key(keyed_server: Server) -> None:
    client = client_with(keyed_server, keyed_server.credentials["project_secret_api_key"])
    try:
        assert client.get_remote_config_payload("secret-config") == '"********* (encrypted)"'
        assert json.loads(client.get_remote_config_payload("plain-config")) == PLAIN
    finally:
        client.shutdown()


def test_serve_refuses_to_start_without_the_key(keyed_server: Server) -> None:
    env = {k: v for k, v in keyed_server.env.items() if k != "FLAGCORE_ENCRYPTION_KEYS"}
    result = run_cli("serve", env=env)
    assert result.returncode != 0
    assert "FLAGCORE_ENCRYPTION_KEYS is not set" in result.stderr
