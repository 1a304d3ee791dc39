"""An app over memory storage, seeded with two organizations, for exercising the HTTP API end to end in-process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dishka import Provider, Scope
from litestar.testing import AsyncTestClient

from flagcore.adapters.memory import (
    MemoryActivityLog,
    MemoryApiKeyRepo,
    MemoryFlagRepo,
    MemoryGroupTypeRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryStores,
    MemoryUnitOfWorkFactory,
    MemoryUserRepo,
    SystemClock,
)
from flagcore.adapters.sqlalchemy import (
    SqlApiKeyRepo,
    SqlFlagRepo,
    SqlOrganizationRepo,
    SqlProjectRepo,
    SqlUnitOfWorkFactory,
    SqlUserRepo,
    create_engine,
    create_sessionmaker,
    upgrade_database,
)
from flagcore.app.identity.bootstrap import Bootstrap, BootstrapCommand
from flagcore.app.main import create_app
from flagcore.app.settings import Settings
from flagcore.domain.identity import PersonalApiKey, hash_secret, mask_secret
from flagcore.ports.flags import FlagRepo
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory
from tests.conftest import empty_mariadb, empty_postgres


@dataclass
class World:
    client: AsyncTestClient  # type: ignore[type-arg]
    project_id: int
    project_api_key: str
    secret_key: str
    admin_key: str
    read_key: str
    user_id: int
    other_project_id: int
    other_key: str
    #: Bootstrap over the seeding transactions (the test's event loop; the app's pool serves the app's own loop).
    bootstrap: Bootstrap
    other_project_api_key: str = ""
    organization_id: str = ""
    other_organization_id: str = ""
    #: A second project of the caller's organization.
    sibling_project_id: int = 0
    #: The store the app serves, seen from the test (memory) or over its own connection (SQL).
    flags: FlagRepo | None = None

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.admin_key}"}

    def url(self, suffix: str = "", project: int | str | None = None) -> str:
        return f"/api/projects/{project if project is not None else self.project_id}/feature_flags/{suffix}"


def _instances(**ports: object) -> Provider:
    provider = Provider(scope=Scope.APP)
    for port, instance in ports.items():
        provider.provide(_constant(instance), provides=_PORTS[port])
    return provider


def _constant(instance: object) -> Callable[[], object]:
    def factory() -> object:
        return instance

    return factory


_PORTS = {
    "flags": FlagRepo,
    "organizations": OrganizationRepo,
    "projects": ProjectRepo,
    "users": UserRepo,
    "keys": ApiKeyRepo,
}


@pytest.fixture(
    params=[
        "memory",
        "sql:sqlite",
        pytest.param("sql:postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("pg")]),
        pytest.param("sql:mariadb", marks=[pytest.mark.mariadb, pytest.mark.xdist_group("mariadb")]),
    ]
)
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the app under test keeps its data. A sync fixture, so the session's PostgreSQL and MariaDB set-ups run
    outside the event loop."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sql:postgres":
        return str(request.getfixturevalue("postgres_url"))
    if request.param == "sql:mariadb":
        return str(request.getfixturevalue("mariadb_url"))
    return f"sqlite+aiosqlite:///{tmp_path / 'api.db'}"


@pytest.fixture
async def world(storage_url: str, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """The same API suite runs over memory storage, a migrated SQLite file (the embedded default), PostgreSQL and
    MariaDB.

    ``@pytest.mark.world_settings(name=value, ...)`` adds settings to the app under test.
    """
    marker = request.node.get_closest_marker("world_settings")
    extra: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    if storage_url == "memory://":
        repos: dict[str, Any] = {
            "flags": MemoryFlagRepo(),
            "organizations": MemoryOrganizationRepo(),
            "projects": MemoryProjectRepo(),
            "users": MemoryUserRepo(),
            "keys": MemoryApiKeyRepo(),
        }
        async with _serve(repos, [_instances(**repos)], Settings(database_url=storage_url, **extra)) as world:
            yield world
        return
    url = storage_url
    if url.startswith("postgresql"):
        await empty_postgres(url)  # migrated once per session, emptied per test
    elif url.startswith("mysql"):
        await empty_mariadb(url)
    else:
        await upgrade_database(url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    repos = {
        "flags": SqlFlagRepo(sessions),
        "organizations": SqlOrganizationRepo(sessions),
        "projects": SqlProjectRepo(sessions),
        "users": SqlUserRepo(sessions),
        "keys": SqlApiKeyRepo(sessions),
    }
    try:
        # The app builds its own engine from the settings; these repos only seed the same database file.
        async with _serve(repos, [], Settings(database_url=url, **extra), SqlUnitOfWorkFactory(sessions)) as world:
            yield world
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def _serve(
    repos: dict[str, Any],
    overrides: list[Provider],
    settings: Settings,
    transactions: UnitOfWorkFactory | None = None,
) -> AsyncIterator[World]:
    # Seeding writes through a unit of work over the same stores the app serves (memory) or the same database.
    if transactions is None:
        stores = MemoryStores(group_types=MemoryGroupTypeRepo(), activity=MemoryActivityLog(), **repos)
        transactions = MemoryUnitOfWorkFactory(stores)
    bootstrap = Bootstrap(transactions, SystemClock())
    main = await bootstrap.execute(BootstrapCommand())
    other = await bootstrap.execute(BootstrapCommand(organization_name="Other", admin_email="other@example.com"))
    admin = await repos["users"].get_by_email("admin@flagcore.local")
    read_key = "phx_readonlykey0123456789"
    await repos["keys"].add(
        PersonalApiKey(
            id="read",
            user_id=admin.id,
            label="read only",
            secure_value=hash_secret(read_key),
            mask_value=mask_secret(read_key),
            scopes=("feature_flag:read",),
            created_at=datetime.now(UTC),
        )
    )
    sibling = await repos["projects"].create(
        organization_id=main.organization_id,
        name="Sibling",
        api_token="phc_sibling0123456789",
        timezone="UTC",
        created_at=datetime.now(UTC),
    )
    app = create_app(*overrides, settings=settings)
    async with AsyncTestClient(app) as client:
        yield World(
            client=client,
            project_id=main.project_id,
            project_api_key=main.project_api_key,
            secret_key=main.project_secret_api_key or "",
            admin_key=main.personal_api_key or "",
            read_key=read_key,
            user_id=admin.id,
            other_project_id=other.project_id,
            other_key=other.personal_api_key or "",
            bootstrap=bootstrap,
            other_project_api_key=other.project_api_key,
            organization_id=main.organization_id,
            other_organization_id=other.organization_id,
            sibling_project_id=sibling.id,
            flags=repos["flags"],
        )
