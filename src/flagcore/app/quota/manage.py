"""Use cases: read and set an organization's feature flag request quota (owners and admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from flagcore.app.identity.authorize import OrganizationAccess, OrganizationNotFoundError
from flagcore.app.quota.gate import QuotaGate
from flagcore.app.tenants.activity import field_changes
from flagcore.domain.activity import ActivityDetail, ActivityEntry
from flagcore.domain.errors import ForbiddenError
from flagcore.domain.identity import MembershipLevel
from flagcore.domain.quota import DEFAULT_GRACE_PERIOD_DAYS, QuotaLimit, QuotaStatus, Resource
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import AfterCommit, UnitOfWorkFactory

_RESOURCE = Resource.FEATURE_FLAG_REQUESTS
#: Quota changes are organization settings: logged under the organization, as PostHog logs its usage limits.
_SCOPE = "Organization"


class NotOrganizationAdminError(ForbiddenError):
    def __init__(self) -> None:
        super().__init__("You do not have admin access to this resource.")


class SetQuotaCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A new limit: ``limit`` None removes it; the grace period is 2 days unless given."""

    organization_id: str
    limit: int | None
    grace_period_days: int = DEFAULT_GRACE_PERIOD_DAYS
    suspended_until: datetime | None = None
    #: Who set it; None for the operator's CLI (a system change).
    user_id: int | None = None


def require_admin(access: OrganizationAccess) -> str:
    """The organization's id if the caller is one of its owners or admins.

    Raises:
        NotOrganizationAdminError: a plain member (403).
    """
    if access.membership.level < MembershipLevel.ADMIN:
        raise NotOrganizationAdminError
    return access.organization.id


class GetQuota:
    def __init__(self, gate: QuotaGate) -> None:
        self._gate = gate

    async def execute(self, organization_id: str) -> QuotaStatus:
        """The organization's limit and usage now, read from the stores.

        Raises:
            BackendUnavailableError: a store failed (503).
        """
        return await self._gate.status(organization_id)


class SetQuota:
    def __init__(self, transactions: UnitOfWorkFactory, gate: QuotaGate, clock: Clock) -> None:
        self._transactions = transactions
        self._gate = gate
        self._clock = clock

    async def execute(self, cmd: SetQuotaCommand) -> QuotaStatus:
        """Replace the organization's limit and log the change in one transaction; return the resulting status.

        Other instances apply it within their quota check interval; this one as soon as it commits.

        Raises:
            InvalidQuotaError: a negative limit or a grace period out of range (400).
            OrganizationNotFoundError: no such organization (404).
            BackendUnavailableError: a store failed (503); nothing was written.
        """
        now = self._clock.now()
        quota = QuotaLimit(
            organization_id=cmd.organization_id,
            resource=_RESOURCE,
            limit=cmd.limit,
            grace_period_days=cmd.grace_period_days,
            suspended_until=cmd.suspended_until,
            updated_at=now,
        )
        async with self._transactions.begin() as uow:
            # The organization's lock orders concurrent setters: the last to commit is the one logged last.
            organization = await uow.lock_organization(cmd.organization_id)
            if organization is None:
                raise OrganizationNotFoundError
            before = await uow.quota_limits.get(cmd.organization_id, _RESOURCE)
            await uow.quota_limits.put(quota)
            await uow.record(
                ActivityEntry(
                    id=str(uuid.uuid4()),
                    organization_id=organization.id,
                    project_id=None,
                    user_id=cmd.user_id,
                    scope=_SCOPE,
                    item_id=organization.id,
                    activity="updated",
                    detail=ActivityDetail(
                        name=organization.name,
                        changes=field_changes(_SCOPE, _logged(before), _logged(quota)),
                    ),
                    created_at=now,
                )
            )
            uow.after_commit(self._forget(cmd.organization_id))
            await uow.commit()
        return await self._gate.status_for(cmd.organization_id, quota)

    def _forget(self, organization_id: str) -> AfterCommit:
        async def forget() -> None:
            # The next check on this instance reads the new limit instead of its cached answer.
            self._gate.forget(organization_id)

        return forget


def _logged(quota: QuotaLimit | None) -> dict[str, Any]:
    """The fields an activity entry shows, named as the quota API names them (absent before the first limit)."""
    if quota is None:
        return {}
    suspended = quota.suspended_until
    prefix = f"{_RESOURCE.value}."
    return {
        f"{prefix}limit": quota.limit,
        f"{prefix}grace_period_days": quota.grace_period_days,
        f"{prefix}quota_limiting_suspended_until": int(suspended.timestamp()) if suspended is not None else None,
    }
