"""SQL ``UnitOfWork``: one ``AsyncSession`` transaction shared by every repository of the unit.

The per-project write lock is the project's row locked ``FOR UPDATE`` on PostgreSQL and MySQL. On SQLite the whole
unit runs in a ``BEGIN IMMEDIATE`` transaction, which holds the database's single write lock from its first
statement, so the unit needs no row lock; the writers of one process also queue on an ``asyncio`` lock before they
take a connection, so that they wait their turn in order instead of polling SQLite's busy handler (and never answer
503 while the database is healthy).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import shared_transaction
from flagcore.adapters.sqlalchemy.activity import SqlActivityLog
from flagcore.adapters.sqlalchemy.approvals import SqlApprovalPolicyRepo, SqlChangeRequestRepo
from flagcore.adapters.sqlalchemy.cohorts import SqlCohortRepo
from flagcore.adapters.sqlalchemy.engine import SQLITE_IMMEDIATE
from flagcore.adapters.sqlalchemy.flag_repo import SqlFlagRepo
from flagcore.adapters.sqlalchemy.flag_usage import SqlFlagUsageRepo
from flagcore.adapters.sqlalchemy.groups import SqlGroupTypeRepo
from flagcore.adapters.sqlalchemy.identity import SqlApiKeyRepo, SqlOrganizationRepo, SqlProjectRepo, SqlUserRepo
from flagcore.adapters.sqlalchemy.mappers import organization_from_row, project_from_row
from flagcore.adapters.sqlalchemy.openfeature import SqlFlagDeclarationRepo
from flagcore.adapters.sqlalchemy.orm import OrganizationRow, ProjectRow
from flagcore.adapters.sqlalchemy.persons import SqlGroupRepo, SqlPersonRepo
from flagcore.adapters.sqlalchemy.quota import SqlQuotaLimitRepo
from flagcore.adapters.sqlalchemy.scheduled_changes import SqlScheduledChangeRepo
from flagcore.adapters.uow_support import AfterCommitActions
from flagcore.domain.activity import ActivityEntry
from flagcore.domain.identity import Organization, Project
from flagcore.ports.activity import ActivityLog
from flagcore.ports.approvals import ApprovalPolicyRepo, ChangeRequestRepo
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.flag_usage import FlagUsageRepo
from flagcore.ports.flags import FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo
from flagcore.ports.openfeature import FlagDeclarationRepo
from flagcore.ports.persons import GroupRepo, PersonRepo
from flagcore.ports.quota import QuotaLimitRepo
from flagcore.ports.scheduled_changes import ScheduledChangeRepo
from flagcore.ports.unit_of_work import AfterCommit, UnitOfWork, UnitOfWorkFactory


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, session: AsyncSession) -> None:
        self._db = session
        scope = shared_transaction(session)
        self._flags = SqlFlagRepo(scope)
        self._group_types = SqlGroupTypeRepo(scope)
        self._organizations = SqlOrganizationRepo(scope)
        self._projects = SqlProjectRepo(scope)
        self._users = SqlUserRepo(scope)
        self._keys = SqlApiKeyRepo(scope)
        self._activity = SqlActivityLog(scope)
        self._flag_declarations = SqlFlagDeclarationRepo(scope)
        self._persons = SqlPersonRepo(scope)
        self._groups = SqlGroupRepo(scope)
        self._cohorts = SqlCohortRepo(scope)
        self._quota_limits = SqlQuotaLimitRepo(scope)
        self._approval_policies = SqlApprovalPolicyRepo(scope)
        self._change_requests = SqlChangeRequestRepo(scope)
        self._scheduled_changes = SqlScheduledChangeRepo(scope)
        self._flag_usage = SqlFlagUsageRepo(scope)
        self._actions = AfterCommitActions()
        self.committed = False

    @property
    def flags(self) -> FlagRepo:
        return self._flags

    @property
    def group_types(self) -> GroupTypeRepo:
        return self._group_types

    @property
    def organizations(self) -> OrganizationRepo:
        return self._organizations

    @property
    def projects(self) -> ProjectRepo:
        return self._projects

    @property
    def users(self) -> UserRepo:
        return self._users

    @property
    def keys(self) -> ApiKeyRepo:
        return self._keys

    @property
    def activity(self) -> ActivityLog:
        return self._activity

    @property
    def flag_declarations(self) -> FlagDeclarationRepo:
        return self._flag_declarations

    @property
    def persons(self) -> PersonRepo:
        return self._persons

    @property
    def groups(self) -> GroupRepo:
        return self._groups

    @property
    def cohorts(self) -> CohortRepo:
        return self._cohorts

    @property
    def quota_limits(self) -> QuotaLimitRepo:
        return self._quota_limits

    @property
    def approval_policies(self) -> ApprovalPolicyRepo:
        return self._approval_policies

    @property
    def change_requests(self) -> ChangeRequestRepo:
        return self._change_requests

    @property
    def scheduled_changes(self) -> ScheduledChangeRepo:
        return self._scheduled_changes

    @property
    def flag_usage(self) -> FlagUsageRepo:
        return self._flag_usage

    async def lock_project(self, project_id: int) -> Project | None:
        stmt = sa.select(ProjectRow).where(ProjectRow.id == project_id)
        if self._db.get_bind().dialect.name != "sqlite":  # SQLite: BEGIN IMMEDIATE already holds the write lock
            stmt = stmt.with_for_update()
        with backend_errors():
            row = await self._db.scalar(stmt)
        return project_from_row(row) if row is not None else None

    async def lock_organization(self, organization_id: str) -> Organization | None:
        stmt = sa.select(OrganizationRow).where(OrganizationRow.id == organization_id)
        if self._db.get_bind().dialect.name != "sqlite":  # as lock_project
            stmt = stmt.with_for_update()
        with backend_errors():
            row = await self._db.scalar(stmt)
        return organization_from_row(row) if row is not None else None

    async def record(self, entry: ActivityEntry) -> None:
        await self._activity.add(entry)

    def after_commit(self, action: AfterCommit) -> None:
        self._actions.add(action)

    async def commit(self) -> None:
        with backend_errors():
            await self._db.commit()
        self.committed = True
        await self._actions.run()


class SqlUnitOfWorkFactory(UnitOfWorkFactory):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        bind = sessions.kw.get("bind")
        self._sqlite = bind is not None and bind.dialect.name == "sqlite"
        # One writer at a time per process on SQLite: it has one write lock anyway, and queueing here is fair.
        self._writer = asyncio.Lock() if self._sqlite else contextlib.nullcontext()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[UnitOfWork]:
        async with self._writer, self._sessions() as session:
            with backend_errors():
                # Opens the transaction now, on SQLite as BEGIN IMMEDIATE: the unit reads under the write lock.
                _ = await session.connection(execution_options={SQLITE_IMMEDIATE: self._sqlite})
            uow = SqlUnitOfWork(session)
            try:
                yield uow
            finally:
                if not uow.committed:
                    with contextlib.suppress(Exception):  # the original error matters, not a failed rollback
                        await session.rollback()
