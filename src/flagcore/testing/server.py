"""A seeded, disposable flagcore (``flagcore serve --memory --seed``) on a free loopback port, and a flag handle.

Works without pytest: ``with running_seeded_server(seed) as server: ...`` in any test runner or script.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import httpx

#: The seed used when none is given: one organization, one project, fixed test keys.
DEFAULT_SEED: Final[dict[str, Any]] = {
    "organizations": [
        {
            "name": "Test Organization",
            "users": [
                {
                    "email": "tester@flagcore.test",
                    "level": "owner",
                    "personal_api_keys": [{"value": "phx_flagcoretestpersonalkey", "scopes": ["*"]}],
                }
            ],
            "projects": [
                {
                    "name": "Test Project",
                    "api_token": "phc_flagcoretestprojecttoken",
                    "secret_api_keys": ["phs_flagcoretestsecretkey"],
                }
            ],
        }
    ]
}
STARTUP_TIMEOUT_S: Final = 60.0


@dataclass(frozen=True)
class FlagcoreServer:
    """A running seeded server and the keys of its first project (``projects`` has them all)."""

    base_url: str
    project_id: int
    project_api_key: str
    secret_api_key: str | None
    personal_api_key: str | None
    projects: list[dict[str, Any]] = field(default_factory=list)

    def flags(self) -> FlagHandle:
        """A handle changing the first project's flags through the management API (its use cases)."""
        if self.personal_api_key is None:
            msg = "the seed gives no personal API key: add one to a user of the first organization"
            raise RuntimeError(msg)
        return FlagHandle(self.base_url, self.project_id, self.personal_api_key)


class FlagHandle:
    """Create, update and roll out flags during a test; the next SDK poll (feed or ``/flags``) sees the change.

    Every call is the management API's (``/api/projects/{id}/feature_flags/``), so a change is validated, recorded
    and invalidates the served snapshots exactly as a user's change does.
    """

    def __init__(self, base_url: str, project_id: int, personal_api_key: str) -> None:
        self._client = httpx.Client(
            base_url=f"{base_url}/api/projects/{project_id}/feature_flags/",
            headers={"Authorization": f"Bearer {personal_api_key}"},
            timeout=10,
        )

    def create(self, key: str, *, rollout_percentage: int | None = 100, **fields: Any) -> dict[str, Any]:  # noqa: ANN401
        """A new flag (``fields`` as the create body); without ``filters``, one condition at the rollout given."""
        body: dict[str, Any] = {"key": key, **fields}
        body.setdefault("filters", {"groups": [{"properties": [], "rollout_percentage": rollout_percentage}]})
        return self._send("POST", "", body)

    def get(self, key: str) -> dict[str, Any]:
        """The flag with this key (``KeyError`` if none)."""
        page = self._send("GET", "?" + urlencode({"search": key, "limit": 1000}), None)  # keys may hold & + #
        for flag in page["results"]:
            if flag["key"] == key:
                return dict(flag)
        raise KeyError(key)

    def update(self, key: str, **fields: Any) -> dict[str, Any]:  # noqa: ANN401
        """PATCH the flag with ``fields`` (e.g. ``active=False``, ``filters={...}``)."""
        return self._send("PATCH", f"{self.get(key)['id']}/", fields)

    def roll_out(self, key: str, percentage: int) -> dict[str, Any]:
        """Set every condition of the flag to ``percentage``."""
        flag = self.get(key)
        filters = dict(flag["filters"])
        filters["groups"] = [{**group, "rollout_percentage": percentage} for group in filters.get("groups", [])]
        return self._send("PATCH", f"{flag['id']}/", {"filters": filters})

    def delete(self, key: str) -> dict[str, Any]:
        """Soft-delete the flag (PostHog's ``deleted: true``)."""
        return self._send("PATCH", f"{self.get(key)['id']}/", {"deleted": True})

    def close(self) -> None:
        self._client.close()

    def _send(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        response = self._client.request(method, path, json=body)
        if response.status_code >= 400:  # noqa: PLR2004 - any HTTP error
            msg = f"{method} {response.request.url}: {response.status_code} {response.text}"
            raise AssertionError(msg)
        return dict(response.json())


def seed_keys(seed: Mapping[str, Any] | str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The seed as a document with every project key filled in (fresh test keys where it gives none), and the keys.

    ``seed`` is a mapping or the path of a seed file (JSON or YAML; a feed or an OpenFeature manifest as well).
    """
    import msgspec  # noqa: PLC0415 - the flagcore app is imported only when a server is wanted

    from flagcore.app.identity.tokens import new_token  # noqa: PLC0415
    from flagcore.app.seeding.load import load_seed_file, parse_seed  # noqa: PLC0415
    from flagcore.app.seeding.schema import SeedUser  # noqa: PLC0415

    document = parse_seed(dict(seed)) if isinstance(seed, Mapping) else load_seed_file(seed)
    organizations: list[Any] = []
    keys: list[dict[str, Any]] = []
    for org in document.organizations:
        personal = next((k.value for u in org.users for k in u.personal_api_keys), None)
        users = list(org.users)
        if personal is None:  # the flag handle needs a personal key: a test owner gets one
            personal = new_token("phx_")
            owner = {"email": f"owner-{len(organizations)}@flagcore.test", "level": "owner"}
            users.append(msgspec.convert({**owner, "personal_api_keys": [{"value": personal}]}, SeedUser))
        projects = []
        for project in org.projects:
            filled = msgspec.structs.replace(
                project,
                api_token=project.api_token or new_token("phc_"),
                secret_api_keys=project.secret_api_keys or [new_token("phs_")],
            )
            projects.append(filled)
            keys.append(
                {
                    "project_api_key": filled.api_token,
                    "secret_api_key": filled.secret_api_keys[0],
                    "personal_api_key": personal,
                    "name": filled.name,
                }
            )
        organizations.append(msgspec.structs.replace(org, users=users, projects=projects))
    filled_document = msgspec.structs.replace(document, organizations=organizations)
    return msgspec.to_builtins(filled_document), keys


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_seeded_server(
    seed: Mapping[str, Any] | str | Path | None = None, *, now: str | None = None, env: Mapping[str, str] | None = None
) -> Iterator[FlagcoreServer]:
    """``flagcore serve --memory --seed`` on a free loopback port until the block ends; yields it once healthy."""
    import msgspec  # noqa: PLC0415

    document, keys = seed_keys(DEFAULT_SEED if seed is None else seed)
    with tempfile.TemporaryDirectory(prefix="flagcore-seed-") as directory:
        path = Path(directory) / "seed.json"
        path.write_bytes(msgspec.json.encode(document))
        port = _free_port()
        child_env = {k: v for k, v in (env or os.environ).items() if not k.startswith("FLAGCORE_")}
        child_env.update({"FLAGCORE_ACCESS_LOG": "false", "FLAGCORE_LOG_LEVEL": "warning"})
        if now is not None:
            child_env["FLAGCORE_NOW"] = now
        args = [sys.executable, "-m", "flagcore", "serve", "--memory", "--seed", str(path), "--port", str(port)]
        log = Path(directory) / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(args, env=child_env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
            base_url = f"http://127.0.0.1:{port}"
            try:
                _wait_healthy(base_url, process, log)
                project_id = _project_id(base_url, keys[0]["personal_api_key"])
                first = keys[0]
                yield FlagcoreServer(
                    base_url=base_url,
                    project_id=project_id,
                    project_api_key=first["project_api_key"],
                    secret_api_key=first["secret_api_key"],
                    personal_api_key=first["personal_api_key"],
                    projects=keys,
                )
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"flagcore serve exited ({process.returncode}): {log.read_text(errors='replace')}"
            raise RuntimeError(msg)
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base_url}/_health", timeout=1).status_code == 200:  # noqa: PLR2004
                return
        time.sleep(0.05)
    msg = f"flagcore serve was not healthy after {STARTUP_TIMEOUT_S} s: {log.read_text(errors='replace')}"
    raise RuntimeError(msg)


def _project_id(base_url: str, personal_api_key: str) -> int:
    response = httpx.get(
        f"{base_url}/api/projects/@current/", headers={"Authorization": f"Bearer {personal_api_key}"}, timeout=10
    )
    response.raise_for_status()
    return int(response.json()["id"])
