"""Storage of approval policies and change requests (with their votes), inside a unit of work."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

import msgspec

from flagcore.domain.approvals import ApprovalPolicy, ChangeRequest, ChangeRequestState


class ApprovalPolicyRepo(Protocol):
    """An organization's policies; at most one per (organization, project or none, action key)."""

    @abstractmethod
    async def add(self, policy: ApprovalPolicy) -> None:
        """Store a new policy.

        Raises:
            DuplicatePolicyError: the organization already has a policy of this action for the same project (or
                for the whole organization).
            BackendUnavailableError: the store cannot be reached.
        """
        ...

    @abstractmethod
    async def get(self, organization_id: str, policy_id: str) -> ApprovalPolicy | None:
        """The organization's policy, or None (another organization's policy is None too)."""
        ...

    @abstractmethod
    async def update(self, policy: ApprovalPolicy) -> None:
        """Replace the stored policy of ``policy.id``.

        Raises:
            DuplicatePolicyError: the change collides with another policy of the same scope and action.
        """
        ...

    @abstractmethod
    async def remove(self, organization_id: str, policy_id: str) -> bool:
        """Delete the policy (hard delete); False when there was none."""
        ...

    @abstractmethod
    async def list_for_project(self, organization_id: str, project_id: int) -> list[ApprovalPolicy]:
        """The project's policies and the organization's own (no project), oldest first."""
        ...


class ChangeRequestQuery(msgspec.Struct, frozen=True, kw_only=True):
    """The listing's filters (PostHog's django-filter set); None or empty means any."""

    states: frozenset[ChangeRequestState] = frozenset()
    action_key: str | None = None
    requester_id: int | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    limit: int = 100
    offset: int = 0


class ChangeRequestRepo(Protocol):
    """A project's change requests, each with its votes."""

    @abstractmethod
    async def add(self, request: ChangeRequest) -> None:
        """Store a new request with its votes."""
        ...

    @abstractmethod
    async def get(self, project_id: int, request_id: str) -> ChangeRequest | None:
        """The project's request with its votes (oldest first), or None (also for another project's)."""
        ...

    @abstractmethod
    async def save(self, request: ChangeRequest, *, expected_state: ChangeRequestState) -> bool:
        """Store the request's fields and its new votes if its stored state is still ``expected_state``.

        A compare-and-set: of two writers moving one request on, one wins.

        Returns:
            False (nothing written) when the stored state differs or the request is gone.
        """
        ...

    @abstractmethod
    async def page(self, project_id: int, query: ChangeRequestQuery) -> tuple[list[ChangeRequest], int]:
        """One page of the project's requests, newest first, and the count of all that match."""
        ...

    @abstractmethod
    async def find_open(self, project_id: int, action_key: str, resource_id: str) -> ChangeRequest | None:
        """The pending or approved request for this action and resource, if any (the duplicate check)."""
        ...

    @abstractmethod
    async def list_open(self, *, limit: int) -> list[ChangeRequest]:
        """Pending requests of every project, oldest first (for the staleness check)."""
        ...

    @abstractmethod
    async def expire_due(self, now: datetime) -> int:
        """Mark every pending or approved request whose ``expires_at`` is past as expired; return how many.

        One conditional write, so that concurrent instances expire each request once.
        """
        ...
