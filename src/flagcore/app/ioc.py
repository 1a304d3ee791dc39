"""Composition root: dishka providers, one per concern. Only this module and ``main.py`` pick adapters."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import NamedTuple

import httpx
import urllib3
from dishka import AnyOf, Provider, Scope, from_context, provide, provide_all
from litestar import Request
from minio import Minio
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from flagcore.adapters.cached import (
    CachedProjectRepo,
    LastKnownApiKeyRepo,
    LastKnownOrganizationRepo,
    LastKnownUserRepo,
)
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
from flagcore.adapters.memory.probe import MemoryDatabaseProbe
from flagcore.adapters.memory.snapshot_cache import MemorySnapshotCache
from flagcore.adapters.minio import MinioSnapshotCache
from flagcore.adapters.redis import RedisInvalidationListener, RedisSnapshotCache, invalidation_channel
from flagcore.adapters.snapshots import CachedProjectSnapshots, DatabaseSnapshotCache, Tier, TieredSnapshotCache
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
from flagcore.adapters.sqlalchemy.probe import SqlDatabaseProbe
from flagcore.app.evaluation.definitions import LoadDefinitions
from flagcore.app.evaluation.evaluate_flags import EvaluateFlags
from flagcore.app.evaluation.evaluation_reasons import EvaluationReasons
from flagcore.app.evaluation.my_flags import MyFlags
from flagcore.app.flags.create_flag import CreateFlag
from flagcore.app.flags.queries import GetFlag, ListFlags
from flagcore.app.flags.update_flag import UpdateFlag
from flagcore.app.groups.group_types import ListGroupTypes, RegisterGroupType, RenameGroupTypes
from flagcore.app.http.auth import authorize_request
from flagcore.app.http.presenter import FlagPresenter
from flagcore.app.identity.authorize import Access, Authorize
from flagcore.app.identity.authorize_feed import AuthorizeFeed
from flagcore.app.identity.bootstrap import Bootstrap
from flagcore.app.observability.metrics import Metrics
from flagcore.app.observability.provider import ObservabilityProvider
from flagcore.app.observability.snapshot_builds import MeasuredSnapshotSource
from flagcore.app.settings import Settings
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.flags import FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo
from flagcore.ports.readiness import DatabaseProbe
from flagcore.ports.remote_evaluator import RemoteEvaluator
from flagcore.ports.snapshots import ProjectSnapshots

logger = logging.getLogger(__name__)


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

    @provide
    def probe(self, engine: AsyncEngine) -> DatabaseProbe:
        return SqlDatabaseProbe(engine)

    # Authentication reads go through last-known decorators: during a database outage, credentials this process
    # has already seen keep authenticating, so evaluation and the feed serve on from the snapshot tiers.
    @provide
    def organizations(self, sessions: async_sessionmaker[AsyncSession]) -> OrganizationRepo:
        return LastKnownOrganizationRepo(SqlOrganizationRepo(sessions))

    @provide
    def projects(self, sessions: async_sessionmaker[AsyncSession]) -> ProjectRepo:
        # Credential lookups happen on every SDK request: remembered for seconds, not read each time.
        return CachedProjectRepo(SqlProjectRepo(sessions))

    @provide
    def users(self, sessions: async_sessionmaker[AsyncSession]) -> UserRepo:
        return LastKnownUserRepo(SqlUserRepo(sessions))

    @provide
    def keys(self, sessions: async_sessionmaker[AsyncSession]) -> ApiKeyRepo:
        return LastKnownApiKeyRepo(SqlApiKeyRepo(sessions))


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
    probe = provide(MemoryDatabaseProbe, provides=DatabaseProbe)


class SnapshotRedis(NamedTuple):
    """The Redis client of the snapshot tiers, or None when ``FLAGCORE_SNAPSHOT_TIERS`` leaves Redis out."""

    client: Redis | None


class SnapshotS3(NamedTuple):
    client: Minio | None


class SnapshotBackground(NamedTuple):
    """What runs beside the requests for snapshots: the invalidation listener when Redis is configured."""

    listener: RedisInvalidationListener | None


class SnapshotProvider(Provider):
    """The tiered snapshot cache the settings ask for, and the process-local view the serving paths read.

    APP scope: one per process, so the cached and compiled snapshots are reused across requests. Backends left out
    of ``FLAGCORE_SNAPSHOT_TIERS`` get no client at all.
    """

    scope = Scope.APP

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[SnapshotRedis]:
        if "redis" not in settings.tiers:
            yield SnapshotRedis(None)
            return
        timeout = settings.redis_timeout_s
        # No retries and short timeouts: a failing Redis is skipped by the tiered cache instead of stalling requests.
        client = Redis.from_url(
            settings.redis_url or "",
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=30,
        )
        yield SnapshotRedis(client)
        await client.aclose()

    @provide
    def s3(self, settings: Settings) -> Iterator[SnapshotS3]:
        if "s3" not in settings.tiers:
            yield SnapshotS3(None)
            return
        timeout = urllib3.Timeout(connect=settings.s3_timeout_s, read=settings.s3_timeout_s)
        # Few retries: a failing S3 is skipped by the tiered cache instead of stalling requests.
        http = urllib3.PoolManager(timeout=timeout, retries=urllib3.Retry(total=1, backoff_factor=0.1), maxsize=16)
        yield SnapshotS3(
            Minio(
                settings.s3_endpoint or "",
                access_key=settings.s3_access_key,
                secret_key=settings.s3_secret_key,
                secure=bool(settings.s3_secure),
                region=settings.s3_region,
                http_client=http,
            )
        )
        http.clear()

    @provide
    def database_tier(
        self, flags: FlagRepo, group_types: GroupTypeRepo, projects: ProjectRepo
    ) -> DatabaseSnapshotCache:
        return DatabaseSnapshotCache(flags, group_types, projects)

    @provide
    async def tiered(
        self,
        settings: Settings,
        redis: SnapshotRedis,
        s3: SnapshotS3,
        database: DatabaseSnapshotCache,
        metrics: Metrics,
    ) -> TieredSnapshotCache:
        tiers: list[Tier] = []
        if "memory" in settings.tiers:
            # Never longer than the refresh window: the memory tier must not stretch the staleness bound.
            tiers.append(Tier("memory", MemorySnapshotCache(ttl_s=settings.snapshot_refresh_s), local=True))
        if redis.client is not None:
            cache = RedisSnapshotCache(redis.client, ttl_s=settings.snapshot_ttl_s, key_prefix=settings.redis_prefix)
            tiers.append(Tier("redis", cache))
        if s3.client is not None:
            tiers.append(Tier("s3", await _s3_tier(s3.client, settings)))
        tiers.append(Tier("db", MeasuredSnapshotSource(database, metrics)))
        return TieredSnapshotCache(tiers)

    @provide(provides=AnyOf[CachedProjectSnapshots, ProjectSnapshots])
    def snapshots(self, tiered: TieredSnapshotCache, settings: Settings) -> CachedProjectSnapshots:
        return CachedProjectSnapshots(tiered, refresh_s=settings.snapshot_refresh_s)

    @provide
    async def background(
        self, redis: SnapshotRedis, tiered: TieredSnapshotCache, snapshots: CachedProjectSnapshots, settings: Settings
    ) -> AsyncIterator[SnapshotBackground]:
        if redis.client is None:
            yield SnapshotBackground(None)
            return

        async def drop(project_id: int) -> None:
            await tiered.forget(project_id)
            snapshots.forget(project_id)

        async def drop_all() -> None:
            await tiered.forget_all()
            snapshots.forget_all()

        listener = RedisInvalidationListener(
            redis.client,
            channel=invalidation_channel(settings.redis_prefix),
            on_invalidate=drop,
            on_resubscribe=drop_all,
        )
        await listener.start()
        # Serving before the subscription is up would miss invalidations; a Redis that is down does not block start.
        await listener.wait_subscribed(settings.redis_timeout_s * 4)
        yield SnapshotBackground(listener)
        await listener.stop()


async def _s3_tier(client: Minio, settings: Settings) -> MinioSnapshotCache:
    cache = MinioSnapshotCache(client, bucket=settings.s3_bucket or "", ttl_s=settings.snapshot_ttl_s)
    try:
        await cache.ensure_bucket()
    except BackendUnavailableError as exc:  # S3 down at start-up: serve without it; puts create the bucket later
        logger.warning("S3 snapshot bucket %r could not be checked at start-up: %r", settings.s3_bucket, exc.__cause__)
    return cache


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
        ObservabilityProvider(),
    ]
