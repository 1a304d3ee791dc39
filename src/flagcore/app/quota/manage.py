"""Use cases: read and set an organization's feature flag request quota (owners and admins)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from flagcore.app.identity.authorize import OrganizationAccess
from flagcore.app.quota.gate import QuotaGate
from flagcore.domain.errors import ForbiddenError
from flagcore.domain.identity import MembershipLevel
from flagcore.domain.quota import DEFAULT_GRACE_PERIOD_DAYS, QuotaLimit, QuotaStatus, Resource
from flagcore.ports.clock import Clock
from flagcore.ports.quota import QuotaLimitRepo

_RESOURCE = Resource.FEATURE_FLAG_REQUESTS


class NotOrganizationAdminError(ForbiddenError):
    def __init__(self) -> None:
        super().__init__("You do not have admin access to this resource.")


class SetQuotaCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A new limit: ``limit`` None removes it; the grace period is 2 days unless given."""

    organization_id: str
    limit: int | None
    grace_period_days: int = DEFAULT_GRACE_PERIOD_DAYS
    suspended_until: datetime | None = None


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
    def __init__(self, limits: QuotaLimitRepo, gate: QuotaGate, clock: Clock) -> None:
        self._limits = limits
        self._gate = gate
        self._clock = clock

    async def execute(self, cmd: SetQuotaCommand) -> QuotaStatus:
        """Replace the organization's limit (one atomic row write) and return the resulting status.

        Other instances apply it within their quota check interval; this one at once.

        Raises:
            InvalidQuotaError: a negative limit or a grace period out of range (400).
            BackendUnavailableError: a store failed (503).
        """
        quota = QuotaLimit(
            organization_id=cmd.organization_id,
            resource=_RESOURCE,
            limit=cmd.limit,
            grace_period_days=cmd.grace_period_days,
            suspended_until=cmd.suspended_until,
            updated_at=self._clock.now(),
        )
        await self._limits.put(quota)
        self._gate.forget(cmd.organization_id)
        return await self._gate.status_for(cmd.organization_id, quota)
