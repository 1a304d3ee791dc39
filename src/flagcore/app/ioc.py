"""Composition root: dishka providers, one per concern. Only this module, ``main.py`` and the CLI pick adapters.

``get_providers(settings)`` is the whole application without its HTTP edge: the web app adds the edge's provider
(``app/http/providers.py``), and the CLI uses these alone, so both run on one graph.

The adapters of SQL, Redis, MinIO and the remote evaluator are imported only when the settings choose them (in
the factories that build them, or from ``ioc_sql.py`` and ``ioc_remote_evaluator.py``, whose signatures name their
libraries' types): a memory server starts without importing SQLAlchemy, redis-py, the MinIO SDK or httpx.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple, cast

from dishka import AnyOf, Provider, Scope, from_context, provide, provide_all

from flagcore.adapters.crypto import FernetPayloadCipher
from flagcore.adapters.crypto.argon2_hasher import Argon2PasswordHasher
from flagcore.adapters.memory import (
    FixedClock,
    MemoryActivityLog,
    MemoryApiKeyRepo,
    MemoryCohortRepo,
    MemoryFlagRepo,
    MemoryGroupRepo,
    MemoryGroupTypeRepo,
    MemoryHashKeyOverrideRepo,
    MemoryOrganizationRepo,
    MemoryPersonRepo,
    MemoryProjectRepo,
    MemoryScheduledChangeRepo,
    MemorySnapshotStore,
    MemoryStores,
    MemoryUnitOfWorkFactory,
    MemoryUserRepo,
    NoCredentialCache,
    SystemClock,
)
from flagcore.adapters.memory.event_queue import MemoryEventQueue
from flagcore.adapters.memory.flag_usage import MemoryFlagUsageRepo
from flagcore.adapters.memory.probe import MemoryDatabaseProbe
from flagcore.adapters.memory.quota import MemoryQuotaLimitRepo, MemoryUsageCounters
from flagcore.adapters.memory.quota_rate_limiter import MemoryRateLimiter
from flagcore.adapters.memory.sign_in import MemoryPasswordStore, MemorySessionStore
from flagcore.adapters.snapshots import CachedProjectSnapshots, DatabaseSnapshotSource, Tier, TieredSnapshotStore
from flagcore.app.approvals.apply import ApplyChangeRequest
from flagcore.app.approvals.change_requests import ActOnChangeRequest, GetChangeRequest, ListChangeRequests
from flagcore.app.approvals.expiry import ChangeRequestExpiryTask, ExpireChangeRequests
from flagcore.app.approvals.policies import (
    DeleteApprovalPolicy,
    GetApprovalPolicy,
    ListApprovalPolicies,
    WriteApprovalPolicy,
)
from flagcore.app.background import BackgroundJobs
from flagcore.app.cohorts.csv_import import ImportCohortCsv
from flagcore.app.cohorts.flag_cohort import CreateStaticCohortForFlag, FillCohortFromFlag
from flagcore.app.cohorts.queries import GetCohort, ListCohortPersons, ListCohorts
from flagcore.app.cohorts.static_members import AddPersonsToStaticCohort, RemovePersonFromStaticCohort
from flagcore.app.cohorts.write_cohorts import CreateCohort, UpdateCohort
from flagcore.app.evaluation.definitions import LoadDefinitions
from flagcore.app.evaluation.evaluate_flags import EvaluateFlags
from flagcore.app.evaluation.evaluation_reasons import EvaluationReasons
from flagcore.app.evaluation.in_process_evaluator import InProcessFlagEvaluator
from flagcore.app.evaluation.my_flags import MyFlags
from flagcore.app.evaluation.pipeline import EvaluationPipeline
from flagcore.app.evaluation.preview_flags import PreviewFlags
from flagcore.app.evaluation.stored_properties import StoredProperties
from flagcore.app.flags.actions import (
    CheckFlagStatus,
    FlagDailyCalls,
    KeysOfFlags,
    ListDependentFlags,
    MatchingFlagIds,
)
from flagcore.app.flags.activity import ListFlagActivity
from flagcore.app.flags.blast_radius import ComputeBlastRadius
from flagcore.app.flags.bulk_delete import BulkDeleteFlags
from flagcore.app.flags.create_flag import CreateFlag
from flagcore.app.flags.encryption_check import CheckEncryptionKeys
from flagcore.app.flags.organization import CopyFlags, FlagAcrossProjects
from flagcore.app.flags.public_config import GetPublicConfig
from flagcore.app.flags.queries import GetFlag, ListFlags
from flagcore.app.flags.remote_config import GetRemoteConfig
from flagcore.app.flags.update_flag import UpdateFlag
from flagcore.app.groups.group_types import ListGroupTypes, RegisterGroupType, RenameGroupTypes
from flagcore.app.identity.authenticate import Authenticate
from flagcore.app.identity.authorize import Authorize
from flagcore.app.identity.bootstrap import Bootstrap
from flagcore.app.identity.sign_in import (
    CurrentSession,
    EnsurePassword,
    SetInitialPassword,
    SetPassword,
    SignIn,
    SignOut,
)
from flagcore.app.ioc_shared import CredentialCache, QuotaDatabase
from flagcore.app.observability.metrics import Metrics
from flagcore.app.observability.provider import ObservabilityProvider
from flagcore.app.observability.snapshot_builds import MeasuredSnapshotSource
from flagcore.app.openfeature.provider import OpenFeatureProvider
from flagcore.app.persons.capture_events import CaptureEvents
from flagcore.app.persons.ingest_events import IngestEvents
from flagcore.app.persons.queries import DeletePerson, GetPerson, ListGroups, ListPersons
from flagcore.app.persons.worker import IngestionWorker
from flagcore.app.quota.accounting import UsageAccounting
from flagcore.app.quota.gate import QuotaGate
from flagcore.app.quota.provider import QuotaProvider, QuotaStores
from flagcore.app.quota.serving import ServingQuota
from flagcore.app.quota.throttles import Throttles
from flagcore.app.scheduled_changes.executor import RunScheduledChanges
from flagcore.app.scheduled_changes.manage import (
    CreateScheduledChange,
    DeleteScheduledChange,
    GetScheduledChange,
    ListScheduledChanges,
    UpdateScheduledChange,
)
from flagcore.app.scheduled_changes.worker import ScheduledChangeWorker
from flagcore.app.settings import Settings
from flagcore.app.tenants.api_keys import CreatePersonalKey, DeletePersonalKey, GetPersonalKey, ListPersonalKeys
from flagcore.app.tenants.me import GetCurrentUser
from flagcore.app.tenants.members import AddMember, ChangeMemberLevel, ListMembers, RemoveMember
from flagcore.app.tenants.organizations import (
    CreateOrganization,
    GetOrganization,
    ListOrganizations,
    UpdateOrganization,
)
from flagcore.app.tenants.projects import CreateProject, ListProjects, RotateProjectToken, UpdateProject
from flagcore.app.tenants.secret_keys import CreateSecretKey, ListSecretKeys, RevokeSecretKey
from flagcore.ports.activity import ActivityLog
from flagcore.ports.clock import Clock
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.event_queue import EventQueue
from flagcore.ports.flag_evaluator import FlagEvaluator
from flagcore.ports.flag_usage import FlagUsageRepo
from flagcore.ports.flags import FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectCredentialCache, ProjectRepo, UserRepo
from flagcore.ports.invalidations import InvalidationListener, InvalidationPublisher
from flagcore.ports.payload_cipher import PayloadCipher
from flagcore.ports.persons import GroupRepo, PersonRepo
from flagcore.ports.quota import QuotaLimitRepo
from flagcore.ports.readiness import DatabaseProbe
from flagcore.ports.scheduled_changes import ScheduledChangeRepo
from flagcore.ports.sign_in import PasswordHasher, PasswordStore, SessionStore
from flagcore.ports.snapshot_store import SnapshotSource
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.status import ProcessStatus, StatusProbe, UsageStatus
from flagcore.ports.unit_of_work import UnitOfWorkFactory

if TYPE_CHECKING:  # annotations of NamedTuple fields and plain functions only: dishka never reads these
    from minio import Minio
    from redis.asyncio import Redis

    from flagcore.adapters.minio import MinioSnapshotStore

logger = logging.getLogger(__name__)


class SettingsProvider(Provider):
    settings = from_context(provides=Settings, scope=Scope.APP)


class ClockProvider(Provider):
    password_hasher = provide(Argon2PasswordHasher, provides=PasswordHasher, scope=Scope.APP)

    @provide(scope=Scope.APP)
    def clock(self, settings: Settings) -> Clock:
        # FLAGCORE_NOW: a clock that never moves, so tests of relative dates and schedules are deterministic.
        fixed = settings.fixed_now
        return SystemClock() if fixed is None else FixedClock(fixed)

    @provide(scope=Scope.APP)
    def cipher(self, settings: Settings) -> PayloadCipher:
        return FernetPayloadCipher(settings.encryption_key_list)


class UsageStatusSource(NamedTuple):
    """Reads quota accounting and throttle counters for ``/_status``."""

    status: Callable[[], UsageStatus | None]


class MemoryProvider(Provider):
    """In-process repositories: dev runs (``FLAGCORE_DATABASE_URL=memory://``) and tests. Nothing survives a restart.

    The unit of work spans whatever repositories the container holds, so a test that provides its own memory
    repositories (seeded beforehand) gets transactions over them.
    """

    scope = Scope.APP
    flags = provide(MemoryFlagRepo, provides=FlagRepo)
    group_types = provide(MemoryGroupTypeRepo, provides=GroupTypeRepo)
    hash_key_overrides = provide(MemoryHashKeyOverrideRepo, provides=HashKeyOverrideRepo)
    organizations = provide(MemoryOrganizationRepo, provides=OrganizationRepo)
    projects = provide(MemoryProjectRepo, provides=ProjectRepo)
    users = provide(MemoryUserRepo, provides=UserRepo)
    keys = provide(MemoryApiKeyRepo, provides=ApiKeyRepo)
    activity = provide(MemoryActivityLog, provides=ActivityLog)
    persons = provide(MemoryPersonRepo, provides=PersonRepo)
    groups = provide(MemoryGroupRepo, provides=GroupRepo)
    cohorts = provide(MemoryCohortRepo, provides=CohortRepo)
    # Written through units of work (ingestion) and read by the status action: one instance for both.
    flag_usage = provide(MemoryFlagUsageRepo, provides=FlagUsageRepo)
    # Set through units of work and read by the quota gate: one instance for both (see MemoryQuotaProvider).
    quota_limits = provide(MemoryQuotaLimitRepo, provides=QuotaLimitRepo)
    scheduled_changes = provide(MemoryScheduledChangeRepo, provides=ScheduledChangeRepo)
    probe = provide(MemoryDatabaseProbe, provides=DatabaseProbe)
    # Memory storage caches no credentials: every lookup reads the store.
    credentials = provide(NoCredentialCache, provides=ProjectCredentialCache)
    ui_sessions = provide(MemorySessionStore, provides=SessionStore)
    passwords = provide(MemoryPasswordStore, provides=PasswordStore)

    @provide
    def transactions(
        self,
        flags: FlagRepo,
        group_types: GroupTypeRepo,
        organizations: OrganizationRepo,
        projects: ProjectRepo,
        users: UserRepo,
        keys: ApiKeyRepo,
        activity: ActivityLog,
        persons: PersonRepo,
        groups: GroupRepo,
        cohorts: CohortRepo,
        quota_limits: QuotaLimitRepo,
        scheduled_changes: ScheduledChangeRepo,
        flag_usage: FlagUsageRepo,
    ) -> UnitOfWorkFactory:
        stores = MemoryStores(
            flags=cast("MemoryFlagRepo", flags),
            group_types=cast("MemoryGroupTypeRepo", group_types),
            organizations=cast("MemoryOrganizationRepo", organizations),
            projects=cast("MemoryProjectRepo", projects),
            users=cast("MemoryUserRepo", users),
            keys=cast("MemoryApiKeyRepo", keys),
            activity=cast("MemoryActivityLog", activity),
            persons=cast("MemoryPersonRepo", persons),
            groups=cast("MemoryGroupRepo", groups),
            cohorts=cast("MemoryCohortRepo", cohorts),
            quota_limits=cast("MemoryQuotaLimitRepo", quota_limits),
            scheduled_changes=cast("MemoryScheduledChangeRepo", scheduled_changes),
            flag_usage=cast("MemoryFlagUsageRepo", flag_usage),
        )
        return MemoryUnitOfWorkFactory(stores)

    @provide
    def credential_cache(self) -> CredentialCache:
        return CredentialCache(lambda: 0)


class RedisConnection(NamedTuple):
    """The process's one Redis client, or None when ``FLAGCORE_REDIS_URL`` is not set."""

    client: Redis | None


class RedisProvider(Provider):
    """One Redis client per process, for every feature that needs it (snapshot tier, invalidations, ...)."""

    scope = Scope.APP

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[RedisConnection]:
        if not settings.redis_url:
            yield RedisConnection(None)
            return
        from redis.asyncio import Redis  # noqa: PLC0415 - only when Redis is configured (see the module's docstring)
        from redis.asyncio.retry import Retry  # noqa: PLC0415
        from redis.backoff import NoBackoff  # noqa: PLC0415

        timeout = settings.redis_timeout_s
        # No retries and short timeouts: a failing Redis is skipped by its users instead of stalling requests.
        client = Redis.from_url(
            settings.redis_url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=30,
        )
        yield RedisConnection(client)
        await client.aclose()


class SnapshotS3(NamedTuple):
    client: Minio | None


class InvalidationChannel(NamedTuple):
    """How this process tells the others that a project changed, and hears them: None without a shared channel."""

    publisher: InvalidationPublisher | None
    listener: InvalidationListener | None


class SnapshotBackground(NamedTuple):
    """What runs beside the requests for snapshots: the invalidation listener when a shared channel exists."""

    listener: InvalidationListener | None


class SnapshotProvider(Provider):
    """The tiered snapshot store the settings ask for, its source, and the process-local view serving paths read.

    APP scope: one per process, so the cached and compiled snapshots are reused across requests. Backends left out
    of ``FLAGCORE_SNAPSHOT_TIERS`` get no store.
    """

    scope = Scope.APP

    @provide
    def s3(self, settings: Settings) -> Iterator[SnapshotS3]:
        if "s3" not in settings.tiers:
            yield SnapshotS3(None)
            return
        import urllib3  # noqa: PLC0415 - only when the S3 tier is configured
        from minio import Minio  # noqa: PLC0415

        timeout = urllib3.Timeout(connect=settings.s3_timeout_s, read=settings.s3_timeout_s)
        # Few retries: a failing S3 is skipped by the tiered store instead of stalling requests.
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
    def source(
        self, flags: FlagRepo, group_types: GroupTypeRepo, projects: ProjectRepo, cohorts: CohortRepo
    ) -> SnapshotSource:
        return DatabaseSnapshotSource(flags, group_types, projects, cohorts)

    @provide
    async def tiered(
        self,
        settings: Settings,
        redis: RedisConnection,
        s3: SnapshotS3,
        source: SnapshotSource,
        metrics: Metrics,
    ) -> TieredSnapshotStore:
        tiers: list[Tier] = []
        if "memory" in settings.tiers:
            # Never longer than the refresh window: the memory tier must not stretch the staleness bound.
            tiers.append(Tier("memory", MemorySnapshotStore(ttl_s=settings.snapshot_refresh_s), local=True))
        if "redis" in settings.tiers and redis.client is not None:
            from flagcore.adapters.redis import RedisSnapshotStore  # noqa: PLC0415 - only when Redis is configured

            store = RedisSnapshotStore(redis.client, ttl_s=settings.snapshot_ttl_s, key_prefix=settings.redis_prefix)
            tiers.append(Tier("redis", store))
        if s3.client is not None:
            tiers.append(Tier("s3", await _s3_tier(s3.client, settings)))
        return TieredSnapshotStore(tiers, MeasuredSnapshotSource(source, metrics))

    @provide
    def invalidations(self, redis: RedisConnection, settings: Settings) -> InvalidationChannel:
        if redis.client is None:
            return InvalidationChannel(None, None)  # one instance, or no shared channel: nobody else to tell
        from flagcore.adapters.redis import RedisInvalidationListener, RedisInvalidationPublisher  # noqa: PLC0415

        return InvalidationChannel(
            RedisInvalidationPublisher(redis.client, key_prefix=settings.redis_prefix),
            RedisInvalidationListener(
                redis.client, key_prefix=settings.redis_prefix, wait_s=settings.redis_timeout_s * 4
            ),
        )

    @provide(provides=AnyOf[CachedProjectSnapshots, ProjectSnapshots])
    def snapshots(
        self, tiered: TieredSnapshotStore, channel: InvalidationChannel, settings: Settings
    ) -> CachedProjectSnapshots:
        return CachedProjectSnapshots(tiered, channel.publisher, refresh_s=settings.snapshot_refresh_s)

    @provide
    async def background(
        self,
        channel: InvalidationChannel,
        tiered: TieredSnapshotStore,
        snapshots: CachedProjectSnapshots,
        credentials: ProjectCredentialCache,
    ) -> AsyncIterator[SnapshotBackground]:
        listener = channel.listener
        if listener is None:
            yield SnapshotBackground(None)
            return

        async def drop(project_id: int) -> None:
            await tiered.forget(project_id)
            snapshots.forget(project_id)
            # Another instance may have rotated the project's token or revoked a secret key: re-read credentials.
            credentials.forget_project(project_id)

        async def drop_all() -> None:
            await tiered.forget_all()
            snapshots.forget_all()

        await listener.start(drop, drop_all)
        yield SnapshotBackground(listener)
        await listener.stop()


async def _s3_tier(client: Minio, settings: Settings) -> MinioSnapshotStore:
    from flagcore.adapters.minio import MinioSnapshotStore  # noqa: PLC0415 - only when the S3 tier is configured

    store = MinioSnapshotStore(client, bucket=settings.s3_bucket or "", ttl_s=settings.snapshot_ttl_s)
    try:
        await store.ensure_bucket()
    except BackendUnavailableError as exc:  # S3 down at start-up: serve without it; puts create the bucket later
        logger.warning("S3 snapshot bucket %r could not be checked at start-up: %r", settings.s3_bucket, exc.__cause__)
    return store


class _ProcessStatusProbe(StatusProbe):
    def __init__(
        self,
        tiered: TieredSnapshotStore,
        background: SnapshotBackground,
        credentials: CredentialCache,
        usage: UsageStatusSource,
    ) -> None:
        self._tiered = tiered
        self._background = background
        self._credentials = credentials
        self._usage = usage

    def status(self) -> ProcessStatus:
        listener = self._background.listener
        return ProcessStatus(
            snapshot_tiers=self._tiered.stats(),
            invalidations=listener.status() if listener is not None else None,
            credentials_served_stale=self._credentials.stale_served(),
            usage=self._usage.status(),
        )


class StatusProvider(Provider):
    status = provide(_ProcessStatusProbe, provides=StatusProbe, scope=Scope.APP)


class LocalEvaluatorProvider(Provider):
    """my_flags / evaluation_reasons evaluated in process, through the same pipeline and snapshots as ``/flags``."""

    evaluator = provide(InProcessFlagEvaluator, provides=FlagEvaluator, scope=Scope.APP)


class QuotaStoreProvider(Provider):
    """Where usage is counted and rates are kept (Redis when configured, else the database and process memory).

    Redis is shared by every instance; without it, rates are per process. Limits always live in the database.
    """

    scope = Scope.APP

    @provide
    def stores(self, settings: Settings, redis: RedisConnection, engine_or_memory: QuotaDatabase) -> QuotaStores:
        prefix = settings.redis_prefix
        if redis.client is not None:
            from flagcore.adapters.redis.quota import RedisUsageCounters  # noqa: PLC0415 - only with Redis
            from flagcore.adapters.redis.quota_rate_limiter import RedisRateLimiter  # noqa: PLC0415

            return QuotaStores(
                limits=engine_or_memory.limits,
                counters=RedisUsageCounters(redis.client, key_prefix=prefix),
                counter_store="redis",
                rate_limiter=RedisRateLimiter(redis.client, url=settings.redis_url or "", key_prefix=prefix),
            )
        return QuotaStores(
            limits=engine_or_memory.limits,
            counters=engine_or_memory.counters,
            counter_store=engine_or_memory.name,
            rate_limiter=MemoryRateLimiter(),
        )

    @provide
    def usage_status(
        self, stores: QuotaStores, accounting: UsageAccounting, gate: QuotaGate, throttles: Throttles
    ) -> UsageStatusSource:
        def read() -> UsageStatus:
            return UsageStatus(
                counter_store=stores.counter_store,
                counter_store_ok=accounting.store_ok,
                pending_units=accounting.pending_units,
                flush_failures=accounting.flush_failures,
                dropped_units=accounting.dropped_units,
                check_failures=gate.check_failures,
                rate_limit_failures=throttles.failures,
            )

        return UsageStatusSource(read)


class MemoryQuotaProvider(Provider):
    scope = Scope.APP

    @provide
    def database(self, limits: QuotaLimitRepo) -> QuotaDatabase:
        return QuotaDatabase("memory", limits, MemoryUsageCounters())


class IngestionProvider(Provider):
    """The capture queue and the worker draining it (one per process; started by the app, stopped at shutdown)."""

    scope = Scope.APP

    @provide
    def queue(self, settings: Settings, redis: RedisConnection) -> EventQueue:
        if settings.ingestion_queue == "redis" and redis.client is not None:
            from flagcore.adapters.redis.event_queue import RedisEventQueue  # noqa: PLC0415 - only with Redis

            return RedisEventQueue(redis.client, capacity=settings.ingestion_queue_size, processes=settings.workers)
        return MemoryEventQueue(settings.ingestion_queue_size)

    @provide
    async def worker(
        self, queue: EventQueue, ingest: IngestEvents, settings: Settings
    ) -> AsyncIterator[IngestionWorker]:
        worker = IngestionWorker(queue, ingest, batch_size=settings.ingestion_batch_size)
        yield worker
        await worker.stop(drain_s=settings.ingestion_drain_s)
        if settings.ingestion_queue == "redis":  # not imported otherwise
            from flagcore.adapters.redis.event_queue import RedisEventQueue  # noqa: PLC0415

            if isinstance(queue, RedisEventQueue):
                await queue.release()  # what this process did not drain stays queued for the others


class BackgroundProvider(Provider):
    """Background work: jobs requests start without waiting, and the change-request expiry task.

    One runner per process; both are given time to finish at shutdown.
    """

    scope = Scope.APP

    @provide
    async def jobs(self) -> AsyncIterator[BackgroundJobs]:
        jobs = BackgroundJobs()
        yield jobs
        await jobs.stop()

    @provide
    async def change_request_expiry(
        self, expire: ExpireChangeRequests, settings: Settings
    ) -> AsyncIterator[ChangeRequestExpiryTask]:
        task = ChangeRequestExpiryTask(expire, settings.change_request_expiry_s)
        yield task
        await task.stop()


class ScheduledChangeProvider(Provider):
    """Running due scheduled changes: the use case, and the worker every instance starts (stopped at shutdown)."""

    scope = Scope.APP

    @provide
    def run(
        self, transactions: UnitOfWorkFactory, update_flag: UpdateFlag, clock: Clock, settings: Settings
    ) -> RunScheduledChanges:
        return RunScheduledChanges(transactions, update_flag, clock, retry_s=settings.scheduled_changes_retry_s)

    @provide
    async def worker(self, run: RunScheduledChanges, settings: Settings) -> AsyncIterator[ScheduledChangeWorker]:
        worker = ScheduledChangeWorker(
            run, interval_s=settings.scheduled_changes_interval_s, enabled=settings.scheduled_changes_enabled
        )
        yield worker
        await worker.stop()


class UseCaseProvider(Provider):
    # Use cases hold only ports, so one instance per app serves every request without per-request allocation.
    scope = Scope.APP
    use_cases = provide_all(
        CreateFlag,
        UpdateFlag,
        ApplyChangeRequest,
        ActOnChangeRequest,
        GetChangeRequest,
        ListChangeRequests,
        ExpireChangeRequests,
        ListApprovalPolicies,
        GetApprovalPolicy,
        WriteApprovalPolicy,
        DeleteApprovalPolicy,
        GetFlag,
        ListFlags,
        CheckFlagStatus,
        FlagDailyCalls,
        ListDependentFlags,
        KeysOfFlags,
        MatchingFlagIds,
        BulkDeleteFlags,
        ListFlagActivity,
        FlagAcrossProjects,
        GetRemoteConfig,
        CheckEncryptionKeys,
        GetPublicConfig,
        CopyFlags,
        Authenticate,
        Authorize,
        Bootstrap,
        SignIn,
        CurrentSession,
        SignOut,
        SetPassword,
        EnsurePassword,
        SetInitialPassword,
        LoadDefinitions,
        EvaluationPipeline,
        StoredProperties,
        MyFlags,
        EvaluationReasons,
        PreviewFlags,
        ListGroupTypes,
        RegisterGroupType,
        RenameGroupTypes,
        ListOrganizations,
        GetOrganization,
        CreateOrganization,
        UpdateOrganization,
        ListProjects,
        CreateProject,
        UpdateProject,
        RotateProjectToken,
        ListSecretKeys,
        CreateSecretKey,
        RevokeSecretKey,
        ListMembers,
        AddMember,
        ChangeMemberLevel,
        RemoveMember,
        ListPersonalKeys,
        GetPersonalKey,
        CreatePersonalKey,
        DeletePersonalKey,
        GetCurrentUser,
        CaptureEvents,
        IngestEvents,
        CreateCohort,
        UpdateCohort,
        ComputeBlastRadius,
        ImportCohortCsv,
        CreateStaticCohortForFlag,
        FillCohortFromFlag,
        GetCohort,
        ListCohorts,
        ListCohortPersons,
        AddPersonsToStaticCohort,
        RemovePersonFromStaticCohort,
        ListPersons,
        GetPerson,
        DeletePerson,
        ListGroups,
        CreateScheduledChange,
        UpdateScheduledChange,
        DeleteScheduledChange,
        GetScheduledChange,
        ListScheduledChanges,
    )

    @provide
    def evaluate_flags(
        self,
        projects: ProjectRepo,
        snapshots: ProjectSnapshots,
        pipeline: EvaluationPipeline,
        stored: StoredProperties,
        quota: ServingQuota,
    ) -> EvaluateFlags:
        return EvaluateFlags(projects, snapshots, pipeline, stored, quota)


def storage_provider(settings: Settings) -> Provider:
    """The repositories the settings ask for."""
    if settings.uses_memory_storage:
        return MemoryProvider()
    from flagcore.app.ioc_sql import SqlProvider  # noqa: PLC0415 - SQLAlchemy only for SQL storage

    return SqlProvider()


def quota_database_provider(settings: Settings) -> Provider:
    """Where quota limits (and, without Redis, usage counters) are kept: the storage the settings ask for."""
    if settings.uses_memory_storage:
        return MemoryQuotaProvider()
    from flagcore.app.ioc_sql import SqlQuotaProvider  # noqa: PLC0415 - SQLAlchemy only for SQL storage

    return SqlQuotaProvider()


def evaluator_provider(settings: Settings) -> Provider:
    """The flag evaluator the settings ask for (``FLAGCORE_EVALUATOR``)."""
    if settings.evaluator != "http":
        return LocalEvaluatorProvider()
    from flagcore.app.ioc_remote_evaluator import HttpEvaluatorProvider  # noqa: PLC0415 - httpx only for it

    return HttpEvaluatorProvider()


def get_providers(settings: Settings) -> list[Provider]:
    """Every provider of the application except the HTTP edge's (the web app adds that one)."""
    return [
        SettingsProvider(),
        ClockProvider(),
        storage_provider(settings),
        quota_database_provider(settings),
        QuotaStoreProvider(),
        QuotaProvider(),
        RedisProvider(),
        SnapshotProvider(),
        StatusProvider(),
        evaluator_provider(settings),
        UseCaseProvider(),
        OpenFeatureProvider(),
        IngestionProvider(),
        ScheduledChangeProvider(),
        BackgroundProvider(),
        ObservabilityProvider(),
    ]
