"""Composition root: dishka providers, one per concern. Only this module and ``main.py`` pick adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, from_context, provide, provide_all
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from flagcore.adapters.cached import CachedProjectRepo
from flagcore.adapters.engine import LocalRemoteEvaluator
from flagcore.adapters.http import HttpRemoteEvaluator
from flagcore.adapters.memory import (
    MemoryApiKeyRepo,
    MemoryFlagRepo,
    MemoryGroupTypeRepo,
    MemoryHashKeyOverrideRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryUserRepo,
    SystemClock,
)
from flagcore.adapters.snapshots import CachedProjectSnapshots, RepoProjectSnapshots
from flagcore.adapters.sqlalchemy import (
    SqlApiKeyRepo,
    SqlFlagRepo,
    SqlGroupTypeRepo,
    SqlHashKeyOverrideRepo,
    SqlOrganizationRepo,
    SqlProjectRepo,
    SqlUserRepo,
    create_engine,
    create_sessionmaker,
)
from flagcore.app.evaluation.definitions import LoadDefinitions
from flagcore.app.evaluation.evaluate_flags import EvaluateFlags
from flagcore.app.evaluation.evaluation_reasons import EvaluationReasons
from flagcore.app.evaluation.my_flags import MyFlags
from flagcore.app.flags.create_flag import CreateFlag
from flagcore.app.flags.queries import GetFlag, ListFlags
from flagcore.app.flags.update_flag import UpdateFlag
from flagcore.app.groups.group_types import ListGroupTypes, RegisterGroupType, RenameGroupTypes
from flagcore.app.http.auth import authorize_feed_request, authorize_request
from flagcore.app.http.presenter import FlagPresenter
from flagcore.app.identity.authorize import Access, Authorize
from flagcore.app.identity.authorize_feed import AuthorizeFeed
from flagcore.app.identity.bootstrap import Bootstrap
from flagcore.app.settings import Settings
from flagcore.domain.identity import Project
from flagcore.ports.clock import Clock
from flagcore.ports.flags import FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo
from flagcore.ports.remote_evaluator import RemoteEvaluator
from flagcore.ports.snapshots import ProjectSnapshots


class SettingsProvider(Provider):
    settings = from_context(provides=Settings, scope=Scope.APP)


class ClockProvider(Provider):
    clock = provide(SystemClock, provides=Clock, scope=Scope.APP)


class SqlProvider(Provider):
    """Repositories over SQLAlchemy (SQLite or PostgreSQL). The engine lives as long as the app."""

    scope = Scope.APP

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings.database_url)
        yield engine
        await engine.dispose()

    @provide
    def sessionmaker(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_sessionmaker(engine)

    flags = provide(SqlFlagRepo, provides=FlagRepo)
    group_types = provide(SqlGroupTypeRepo, provides=GroupTypeRepo)
    hash_key_overrides = provide(SqlHashKeyOverrideRepo, provides=HashKeyOverrideRepo)
    organizations = provide(SqlOrganizationRepo, provides=OrganizationRepo)

    @provide
    def projects(self, sessions: async_sessionmaker[AsyncSession]) -> ProjectRepo:
        # Credential lookups happen on every SDK request: remembered for seconds, not read each time.
        return CachedProjectRepo(SqlProjectRepo(sessions))

    users = provide(SqlUserRepo, provides=UserRepo)
    keys = provide(SqlApiKeyRepo, provides=ApiKeyRepo)


class MemoryProvider(Provider):
    """In-process repositories: dev runs (``FLAGCORE_DATABASE_URL=memory://``) and tests. Nothing survives a restart."""

    scope = Scope.APP
    flags = provide(MemoryFlagRepo, provides=FlagRepo)
    group_types = provide(MemoryGroupTypeRepo, provides=GroupTypeRepo)
    hash_key_overrides = provide(MemoryHashKeyOverrideRepo, provides=HashKeyOverrideRepo)
    organizations = provide(MemoryOrganizationRepo, provides=OrganizationRepo)
    projects = provide(MemoryProjectRepo, provides=ProjectRepo)
    users = provide(MemoryUserRepo, provides=UserRepo)
    keys = provide(MemoryApiKeyRepo, provides=ApiKeyRepo)


class SnapshotProvider(Provider):
    # APP scope: one per process, so the cached and compiled snapshots are reused across requests.
    @provide(scope=Scope.APP)
    def snapshots(self, flags: FlagRepo, group_types: GroupTypeRepo, settings: Settings) -> ProjectSnapshots:
        return CachedProjectSnapshots(RepoProjectSnapshots(flags, group_types), refresh_s=settings.snapshot_refresh_s)


class LocalEvaluatorProvider(Provider):
    """my_flags / evaluation_reasons evaluated in process, over the same snapshots ``/flags`` serves."""

    evaluator = provide(LocalRemoteEvaluator, provides=RemoteEvaluator, scope=Scope.APP)


class HttpEvaluatorProvider(Provider):
    """my_flags / evaluation_reasons proxied to a ``/flags?v=2`` service, over one pooled client per process."""

    scope = Scope.APP

    @provide
    async def client(self, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(timeout=settings.evaluator_timeout_s) as client:
            yield client

    @provide
    def evaluator(self, client: httpx.AsyncClient, settings: Settings) -> RemoteEvaluator:
        # Settings guarantee the URL is set when this provider is chosen.
        base_url = settings.evaluator_url or ""
        return HttpRemoteEvaluator(client, base_url=base_url, timeout_s=settings.evaluator_timeout_s)


class EvaluatorUseCaseProvider(Provider):
    # Apart from UseCaseProvider: these need a RemoteEvaluator, which containers without HTTP (the CLI's) lack.
    scope = Scope.APP
    use_cases = provide_all(MyFlags, EvaluationReasons)


class UseCaseProvider(Provider):
    # Use cases hold only ports, so one instance per app serves every request without per-request allocation.
    scope = Scope.APP
    use_cases = provide_all(
        CreateFlag,
        UpdateFlag,
        GetFlag,
        ListFlags,
        Authorize,
        AuthorizeFeed,
        Bootstrap,
        FlagPresenter,
        LoadDefinitions,
        EvaluateFlags,
        ListGroupTypes,
        RegisterGroupType,
        RenameGroupTypes,
    )


class HttpProvider(Provider):
    scope = Scope.REQUEST

    @provide
    async def access(self, request: Request, authorize: Authorize) -> Access:  # type: ignore[type-arg]  # dishka keys on the bare class
        return await authorize_request(request, authorize)

    @provide
    async def feed_project(self, request: Request, authorize: AuthorizeFeed) -> Project:  # type: ignore[type-arg]
        return await authorize_feed_request(request, authorize)


def storage_provider(settings: Settings) -> Provider:
    """The repositories the settings ask for."""
    return MemoryProvider() if settings.uses_memory_storage else SqlProvider()


def evaluator_provider(settings: Settings) -> Provider:
    """The remote evaluator the settings ask for (``FLAGCORE_EVALUATOR``)."""
    return HttpEvaluatorProvider() if settings.evaluator == "http" else LocalEvaluatorProvider()


def get_providers(settings: Settings) -> list[Provider]:
    return [
        SettingsProvider(),
        ClockProvider(),
        storage_provider(settings),
        SnapshotProvider(),
        evaluator_provider(settings),
        UseCaseProvider(),
        EvaluatorUseCaseProvider(),
        HttpProvider(),
    ]
