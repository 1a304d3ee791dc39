"""The SQL storage providers (SQLite or PostgreSQL), imported by ``app/ioc.py`` only when the settings choose SQL.

A module of its own because dishka reads these factories' signatures, which name SQLAlchemy's types: importing
SQLAlchemy, advanced-alchemy and the ORM costs about half a second of CPU, which a memory server (a seeded test
server, a dev run) has no use for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import AnyOf, Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from flagcore.adapters.cached import (
    CachedProjectRepo,
    LastKnownApiKeyRepo,
    LastKnownOrganizationRepo,
    LastKnownUserRepo,
)
from flagcore.adapters.sqlalchemy import (
    SqlActivityLog,
    SqlApiKeyRepo,
    SqlCohortRepo,
    SqlFlagRepo,
    SqlGroupRepo,
    SqlGroupTypeRepo,
    SqlHashKeyOverrideRepo,
    SqlOrganizationRepo,
    SqlPersonRepo,
    SqlProjectRepo,
    SqlScheduledChangeRepo,
    SqlUnitOfWorkFactory,
    SqlUserRepo,
    create_engine,
    create_sessionmaker,
)
from flagcore.adapters.sqlalchemy.flag_usage import SqlFlagUsageRepo
from flagcore.adapters.sqlalchemy.probe import SqlDatabaseProbe
from flagcore.adapters.sqlalchemy.quota import SqlQuotaLimitRepo, SqlUsageCounters
from flagcore.adapters.sqlalchemy.sign_in import SqlPasswordStore, SqlSessionStore
from flagcore.app.ioc_shared import CredentialCache, QuotaDatabase
from flagcore.app.settings import Settings
from flagcore.ports.activity import ActivityLog
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.flag_usage import FlagUsageRepo
from flagcore.ports.flags import FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectCredentialCache, ProjectRepo, UserRepo
from flagcore.ports.persons import GroupRepo, PersonRepo
from flagcore.ports.readiness import DatabaseProbe
from flagcore.ports.scheduled_changes import ScheduledChangeRepo
from flagcore.ports.sign_in import PasswordStore, SessionStore
from flagcore.ports.unit_of_work import UnitOfWorkFactory


class SqlProvider(Provider):
    """Repositories and units of work over SQLAlchemy (SQLite or PostgreSQL). The engine lives as long as the app."""

    scope = Scope.APP

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings.database_url)
        yield engine
        await engine.dispose()

    @provide
    def sessionmaker(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_sessionmaker(engine)

    transactions = provide(SqlUnitOfWorkFactory, provides=UnitOfWorkFactory)

    # Outside a unit of work, every call of these repositories is a short transaction of its own (reads, mostly).
    @provide
    def flags(self, sessions: async_sessionmaker[AsyncSession]) -> FlagRepo:
        return SqlFlagRepo(sessions)

    @provide
    def group_types(self, sessions: async_sessionmaker[AsyncSession]) -> GroupTypeRepo:
        return SqlGroupTypeRepo(sessions)

    @provide
    def hash_key_overrides(self, sessions: async_sessionmaker[AsyncSession]) -> HashKeyOverrideRepo:
        return SqlHashKeyOverrideRepo(sessions)

    @provide
    def activity(self, sessions: async_sessionmaker[AsyncSession]) -> ActivityLog:
        return SqlActivityLog(sessions)

    @provide
    def persons(self, sessions: async_sessionmaker[AsyncSession]) -> PersonRepo:
        return SqlPersonRepo(sessions)

    @provide
    def groups(self, sessions: async_sessionmaker[AsyncSession]) -> GroupRepo:
        return SqlGroupRepo(sessions)

    @provide
    def cohorts(self, sessions: async_sessionmaker[AsyncSession]) -> CohortRepo:
        return SqlCohortRepo(sessions)

    @provide
    def scheduled_changes(self, sessions: async_sessionmaker[AsyncSession]) -> ScheduledChangeRepo:
        return SqlScheduledChangeRepo(sessions)

    @provide
    def flag_usage(self, sessions: async_sessionmaker[AsyncSession]) -> FlagUsageRepo:
        return SqlFlagUsageRepo(sessions)

    @provide
    def probe(self, engine: AsyncEngine) -> DatabaseProbe:
        return SqlDatabaseProbe(engine)

    # Authentication reads go through last-known decorators: during a database outage, credentials this process
    # has already seen keep authenticating, so evaluation and the feed serve on from the snapshot tiers.
    @provide
    def organizations(self, sessions: async_sessionmaker[AsyncSession]) -> OrganizationRepo:
        return LastKnownOrganizationRepo(SqlOrganizationRepo(sessions))

    @provide(provides=AnyOf[CachedProjectRepo, ProjectRepo, ProjectCredentialCache])
    def projects(self, sessions: async_sessionmaker[AsyncSession]) -> CachedProjectRepo:
        # Credential lookups happen on every SDK request: remembered for seconds, not read each time.
        return CachedProjectRepo(SqlProjectRepo(sessions))

    @provide
    def credential_cache(self, projects: CachedProjectRepo) -> CredentialCache:
        return CredentialCache(lambda: projects.stale_served)

    @provide
    def users(self, sessions: async_sessionmaker[AsyncSession]) -> UserRepo:
        return LastKnownUserRepo(SqlUserRepo(sessions))

    @provide
    def keys(self, sessions: async_sessionmaker[AsyncSession]) -> ApiKeyRepo:
        return LastKnownApiKeyRepo(SqlApiKeyRepo(sessions))

    # The admin UI's sessions live in the database, so every instance sees every signed-in browser.
    @provide
    def ui_sessions(self, sessions: async_sessionmaker[AsyncSession]) -> SessionStore:
        return SqlSessionStore(sessions)

    @provide
    def passwords(self, sessions: async_sessionmaker[AsyncSession]) -> PasswordStore:
        return SqlPasswordStore(sessions)


class SqlQuotaProvider(Provider):
    scope = Scope.APP

    @provide
    def database(self, sessions: async_sessionmaker[AsyncSession]) -> QuotaDatabase:
        return QuotaDatabase("db", SqlQuotaLimitRepo(sessions), SqlUsageCounters(sessions))
