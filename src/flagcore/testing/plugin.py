"""The flagcore pytest plugin (registered through the ``pytest11`` entry point as ``flagcore.testing.plugin``).

Fixtures:

- ``flagcore_seed``: the seed (a mapping or a path); by default the file named by ``FLAGCORE_SEED``, else
  ``DEFAULT_SEED``. Override it in a conftest (with the scope of ``flagcore_server``: session by default).
- ``flagcore_server``: ``flagcore serve --memory --seed`` on a free loopback port, with ``base_url`` and the keys.
  Session-scoped unless the ini option ``flagcore_server_scope = function``; ``flagcore_now`` fixes its clock.
- ``flagcore_flags``: a handle changing the server's flags during a test through the management API.
- ``flagcore_app``: the ASGI app in process, seeded, for httpx's ASGI transport (see ``asgi_client``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from flagcore.testing.asgi import asgi_client
from flagcore.testing.server import DEFAULT_SEED, FlagcoreServer, FlagHandle, running_seeded_server, seed_keys

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ("asgi_client", "flagcore_app", "flagcore_flags", "flagcore_seed", "flagcore_server")

Seed = Mapping[str, Any] | str | Path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "flagcore_server_scope", "scope of flagcore_server and flagcore_seed: session or function", default="session"
    )
    parser.addini("flagcore_now", "fixed clock of flagcore_server and flagcore_app (ISO 8601), empty: none", default="")


def _scope(fixture_name: str, config: pytest.Config) -> str:  # noqa: ARG001 - pytest's dynamic scope signature
    scope = str(config.getini("flagcore_server_scope") or "session")
    if scope not in {"session", "package", "module", "class", "function"}:
        msg = f"flagcore_server_scope: {scope!r} is not a pytest scope"
        raise pytest.UsageError(msg)
    return scope


def _now(config: pytest.Config) -> str | None:
    return str(config.getini("flagcore_now")) or os.environ.get("FLAGCORE_NOW") or None


@pytest.fixture(scope=_scope)  # type: ignore[arg-type]  # pytest accepts a callable scope
def flagcore_seed() -> Seed:
    """The seed of ``flagcore_server`` and ``flagcore_app``: ``FLAGCORE_SEED``'s file, else ``DEFAULT_SEED``."""
    path = os.environ.get("FLAGCORE_SEED")
    return Path(path) if path else DEFAULT_SEED


@pytest.fixture(scope=_scope)  # type: ignore[arg-type]
def flagcore_server(flagcore_seed: Seed, pytestconfig: pytest.Config) -> Iterator[FlagcoreServer]:
    """A real seeded flagcore on a free loopback port (``base_url``, ``project_api_key``, ``secret_api_key`` ...)."""
    with running_seeded_server(flagcore_seed, now=_now(pytestconfig)) as server:
        yield server


@pytest.fixture
def flagcore_flags(flagcore_server: FlagcoreServer) -> Iterator[FlagHandle]:
    """Create, update, roll out or delete the server's flags during a test (visible to the next SDK poll)."""
    handle = flagcore_server.flags()
    yield handle
    handle.close()


@pytest.fixture
def flagcore_app(
    flagcore_seed: Seed, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Litestar:
    """The seeded ASGI app in process. Its lifespan (which applies the seed) runs in ``asgi_client``."""
    import msgspec  # noqa: PLC0415

    from flagcore.app.main import create_app  # noqa: PLC0415
    from flagcore.app.settings import load_settings  # noqa: PLC0415

    document, _ = seed_keys(flagcore_seed)
    directory = tmp_path_factory.mktemp("flagcore-seed")
    path = directory / "seed.json"
    path.write_bytes(msgspec.json.encode(document))
    environ = {"FLAGCORE_DATABASE_URL": "memory://", "FLAGCORE_SEED": str(path), "FLAGCORE_ACCESS_LOG": "false"}
    now = _now(pytestconfig)
    if now is not None:
        environ["FLAGCORE_NOW"] = now
    return create_app(settings=load_settings(environ))
