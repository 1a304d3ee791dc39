"""In-memory ``UnitOfWork``: units run one at a time, each on private copies of the repositories' state.

A unit forks every repository (shallow copies: the stored values are immutable structs), so readers outside it see
nothing until ``commit`` adopts the forks' state into the shared repositories at once, with no await in between.
Leaving without a commit drops the forks. Units are serialised by one lock, which is also the per-project write
lock: memory storage serves one process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from flagcore.adapters.memory.activity import MemoryActivityLog
from flagcore.adapters.memory.approvals import MemoryApprovalPolicyRepo, MemoryChangeRequestRepo
from flagcore.adapters.memory.cohorts import MemoryCohortRepo
from flagcore.adapters.memory.flag_repo import MemoryFlagRepo
from flagcore.adapters.memory.flag_usage import MemoryFlagUsageRepo
from flagcore.adapters.memory.groups import MemoryGroupTypeRepo
from flagcore.adapters.memory.identity import (
    MemoryApiKeyRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryUserRepo,
)
from flagcore.adapters.memory.openfeature import MemoryFlagDeclarationRepo
from flagcore.adapters.memory.persons import MemoryGroupRepo, MemoryPersonRepo
from flagcore.adapters.memory.quota import MemoryQuotaLimitRepo
from flagcore.adapters.memory.scheduled_changes import MemoryScheduledChangeRepo
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


class MemoryUnitOfWork(UnitOfWork):
    def __init__(self, shared: MemoryStores) -> None:
        self._shared = shared
        self._forks = shared.fork()
        self._actions = AfterCommitActions()
        self.committed = False

    @property
    def flags(self) -> FlagRepo:
        return self._forks.flags

    @property
    def group_types(self) -> GroupTypeRepo:
        return self._forks.group_types

    @property
    def organizations(self) -> OrganizationRepo:
        return self._forks.organizations

    @property
    def projects(self) -> ProjectRepo:
        return self._forks.projects

    @property
    def users(self) -> UserRepo:
        return self._forks.users

    @property
    def keys(self) -> ApiKeyRepo:
        return self._forks.keys

    @property
    def activity(self) -> ActivityLog:
        return self._forks.activity

    @property
    def flag_declarations(self) -> FlagDeclarationRepo:
        return self._forks.flag_declarations

    @property
    def persons(self) -> PersonRepo:
        return self._forks.persons

    @property
    def groups(self) -> GroupRepo:
        return self._forks.groups

    @property
    def cohorts(self) -> CohortRepo:
        return self._forks.cohorts

    @property
    def quota_limits(self) -> QuotaLimitRepo:
        return self._forks.quota_limits

    @property
    def approval_policies(self) -> ApprovalPolicyRepo:
        return self._forks.approval_policies

    @property
    def change_requests(self) -> ChangeRequestRepo:
        return self._forks.change_requests

    @property
    def scheduled_changes(self) -> ScheduledChangeRepo:
        return self._forks.scheduled_changes

    @property
    def flag_usage(self) -> FlagUsageRepo:
        return self._forks.flag_usage

    async def lock_project(self, project_id: int) -> Project | None:
        # Units are serialised already (see the module docstring): the project's lock is held.
        return await self._forks.projects.get(project_id)

    async def lock_organization(self, organization_id: str) -> Organization | None:
        return await self._forks.organizations.get(organization_id)  # serialised, as lock_project

    async def record(self, entry: ActivityEntry) -> None:
        await self._forks.activity.add(entry)

    def after_commit(self, action: AfterCommit) -> None:
        self._actions.add(action)

    async def commit(self) -> None:
        self._shared.adopt(self._forks)
        self.committed = True
        await self._actions.run()


class MemoryStores:
    """The memory repositories a unit of work spans (the same instances the app serves reads from)."""

    def __init__(
        self,
        *,
        flags: MemoryFlagRepo,
        group_types: MemoryGroupTypeRepo,
        organizations: MemoryOrganizationRepo,
        projects: MemoryProjectRepo,
        users: MemoryUserRepo,
        keys: MemoryApiKeyRepo,
        activity: MemoryActivityLog,
        flag_declarations: MemoryFlagDeclarationRepo | None = None,
        persons: MemoryPersonRepo | None = None,
        groups: MemoryGroupRepo | None = None,
        cohorts: MemoryCohortRepo | None = None,
        quota_limits: MemoryQuotaLimitRepo | None = None,
        approval_policies: MemoryApprovalPolicyRepo | None = None,
        change_requests: MemoryChangeRequestRepo | None = None,
        scheduled_changes: MemoryScheduledChangeRepo | None = None,
        flag_usage: MemoryFlagUsageRepo | None = None,
    ) -> None:
        self.flags = flags
        self.group_types = group_types
        self.organizations = organizations
        self.projects = projects
        self.users = users
        self.keys = keys
        self.activity = activity
        # Written only through units of work, so nothing outside needs the instance: created here by default.
        self.flag_declarations = flag_declarations or MemoryFlagDeclarationRepo()
        self.persons = persons if persons is not None else MemoryPersonRepo()
        self.groups = groups if groups is not None else MemoryGroupRepo()
        self.cohorts = cohorts if cohorts is not None else MemoryCohortRepo()
        # The quota gate reads limits from this same instance (see app/ioc.py).
        self.quota_limits = quota_limits if quota_limits is not None else MemoryQuotaLimitRepo()
        self.approval_policies = approval_policies if approval_policies is not None else MemoryApprovalPolicyRepo()
        self.change_requests = change_requests if change_requests is not None else MemoryChangeRequestRepo()

        # The listing reads this same instance outside units of work (see app/ioc.py).
        self.scheduled_changes = scheduled_changes if scheduled_changes is not None else MemoryScheduledChangeRepo()
        # The status action reads usage from this same instance (see app/ioc.py).
        self.flag_usage = flag_usage if flag_usage is not None else MemoryFlagUsageRepo()

    def fork(self) -> MemoryStores:
        return MemoryStores(
            flags=self.flags.fork(),
            group_types=self.group_types.fork(),
            organizations=self.organizations.fork(),
            projects=self.projects.fork(),
            users=self.users.fork(),
            keys=self.keys.fork(),
            activity=self.activity.fork(),
            flag_declarations=self.flag_declarations.fork(),
            persons=self.persons.fork(),
            groups=self.groups.fork(),
            cohorts=self.cohorts.fork(),
            quota_limits=self.quota_limits.fork(),
            approval_policies=self.approval_policies.fork(),
            change_requests=self.change_requests.fork(),
            scheduled_changes=self.scheduled_changes.fork(),
            flag_usage=self.flag_usage.fork(),
        )

    def adopt(self, forks: MemoryStores) -> None:
        # No await in here: readers see all of the unit's writes or none of them.
        self.flags.adopt(forks.flags)
        self.group_types.adopt(forks.group_types)
        self.organizations.adopt(forks.organizations)
        self.projects.adopt(forks.projects)
        self.users.adopt(forks.users)
        self.keys.adopt(forks.keys)
        self.activity.adopt(forks.activity)
        self.flag_declarations.adopt(forks.flag_declarations)
        self.persons.adopt(forks.persons)
        self.groups.adopt(forks.groups)
        self.cohorts.adopt(forks.cohorts)
        self.quota_limits.adopt(forks.quota_limits)
        self.approval_policies.adopt(forks.approval_policies)
        self.change_requests.adopt(forks.change_requests)
        self.scheduled_changes.adopt(forks.scheduled_changes)
        self.flag_usage.adopt(forks.flag_usage)


class MemoryUnitOfWorkFactory(UnitOfWorkFactory):
    def __init__(self, stores: MemoryStores) -> None:
        self._stores = stores
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[UnitOfWork]:
        async with self._lock:
            yield MemoryUnitOfWork(self._stores)
