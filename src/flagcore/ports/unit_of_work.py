"""One transaction per use case: the unit of work and the factory that begins one.

A use case that writes opens a unit of work, does all its reads and writes through the repositories it hands out,
and commits: the whole change becomes visible at once, or (on any error, or when the block is left without a
commit) none of it does. Work that must follow a successful commit (snapshot invalidation, cross-instance
notification, webhooks) is registered with ``after_commit`` and runs only if the commit succeeded.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

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

AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork(Protocol):
    """The repositories of one transaction. Their methods see the transaction's own uncommitted writes."""

    @property
    @abstractmethod
    def flags(self) -> FlagRepo: ...

    @property
    @abstractmethod
    def group_types(self) -> GroupTypeRepo: ...

    @property
    @abstractmethod
    def organizations(self) -> OrganizationRepo: ...

    @property
    @abstractmethod
    def projects(self) -> ProjectRepo: ...

    @property
    @abstractmethod
    def users(self) -> UserRepo: ...

    @property
    @abstractmethod
    def keys(self) -> ApiKeyRepo: ...

    @property
    @abstractmethod
    def activity(self) -> ActivityLog: ...

    @property
    @abstractmethod
    def flag_declarations(self) -> FlagDeclarationRepo: ...

    @property
    @abstractmethod
    def persons(self) -> PersonRepo: ...

    @property
    @abstractmethod
    def groups(self) -> GroupRepo: ...

    @property
    @abstractmethod
    def cohorts(self) -> CohortRepo: ...

    @property
    @abstractmethod
    def quota_limits(self) -> QuotaLimitRepo: ...

    @property
    @abstractmethod
    def approval_policies(self) -> ApprovalPolicyRepo: ...

    @property
    @abstractmethod
    def change_requests(self) -> ChangeRequestRepo: ...

    @property
    @abstractmethod
    def scheduled_changes(self) -> ScheduledChangeRepo: ...
    @property
    @abstractmethod
    def flag_usage(self) -> FlagUsageRepo: ...

    @abstractmethod
    async def lock_project(self, project_id: int) -> Project | None:
        """Take the project's write lock until the transaction ends, and return the project (None if absent).

        Writers of one project's flags that take it run one after another, so rules checked after taking it (flag
        dependencies) still hold when the transaction commits.
        """
        ...

    @abstractmethod
    async def lock_organization(self, organization_id: str) -> Organization | None:
        """Take the organization's write lock until the transaction ends, and return it (None if absent).

        Membership changes take it, so rules over all members (the organization keeps an owner) still hold when
        the transaction commits.
        """
        ...

    @abstractmethod
    async def record(self, entry: ActivityEntry) -> None:
        """Write an activity entry in this transaction: it is stored if and only if the change commits."""
        ...

    @abstractmethod
    def after_commit(self, action: AfterCommit) -> None:
        """Run ``action`` after a successful commit (in registration order; a failing action is logged, not raised).

        Actions of a transaction that does not commit never run.
        """
        ...

    @abstractmethod
    async def commit(self) -> None:
        """Make every write of the transaction visible at once, then run the after-commit actions.

        Raises:
            BackendUnavailableError: the store failed; nothing was written.
        """
        ...


class UnitOfWorkFactory(Protocol):
    @abstractmethod
    def begin(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A new unit of work, as ``async with factory.begin() as uow: ... await uow.commit()``.

        Leaving the block without ``commit`` (or by an exception) rolls everything back.

        Raises:
            BackendUnavailableError: the store cannot be reached.
        """
        ...
