"""``/api/organizations/{organization_id}/quota/``: an organization's limits and usage (owners and admins).

One object per resource, shaped like PostHog's organization usage; timestamps are Unix seconds as PostHog stores
them, the period is two ISO 8601 instants. ``PUT`` takes ``{"feature_flag_requests": {"limit": N | null,
"grace_period_days"?: N, "quota_limiting_suspended_until"?: ts | null}}``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, put

from flagcore.app.http.auth import rule
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import OrganizationAccess
from flagcore.app.quota.manage import GetQuota, SetQuota, SetQuotaCommand, require_admin
from flagcore.domain.identity import Target
from flagcore.domain.quota import DEFAULT_GRACE_PERIOD_DAYS, QuotaStatus

QUOTA_READ: Final = rule(Target.ORGANIZATION, "organization:read")
QUOTA_WRITE: Final = rule(Target.ORGANIZATION, "organization:write")


class ResourceUsage(msgspec.Struct, frozen=True, kw_only=True):
    limit: int | None
    usage: int
    todays_usage: int
    period: tuple[str, str]
    grace_period_days: int
    quota_limited_until: int | None
    grace_until: int | None
    quota_limiting_suspended_until: int | None


class QuotaOut(msgspec.Struct, frozen=True, kw_only=True):
    feature_flag_requests: ResourceUsage


class ResourceQuotaIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: int | None
    grace_period_days: int = DEFAULT_GRACE_PERIOD_DAYS
    quota_limiting_suspended_until: Annotated[int, msgspec.Meta(ge=0, le=2**35)] | None = None


class QuotaIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    feature_flag_requests: ResourceQuotaIn


def _ts(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def present(status: QuotaStatus) -> QuotaOut:
    """The wire shape of a status."""
    return QuotaOut(
        feature_flag_requests=ResourceUsage(
            limit=status.limit,
            usage=status.usage,
            todays_usage=status.todays_usage,
            period=(_iso(status.period.start), _iso(status.period.end)),
            grace_period_days=status.grace_period_days,
            quota_limited_until=_ts(status.quota_limited_until),
            grace_until=_ts(status.grace_until),
            quota_limiting_suspended_until=_ts(status.suspended_until),
        )
    )


class QuotaController(Controller):
    path = "/api/organizations/{organization_id:str}/quota"
    tags = ["quota"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=QUOTA_READ, operation_id=operation("organization_quota_retrieve"))
    @inject
    async def retrieve(self, access: FromDishka[OrganizationAccess], use_case: FromDishka[GetQuota]) -> QuotaOut:
        return present(await use_case.execute(require_admin(access)))

    @put("/", opt=QUOTA_WRITE, operation_id=operation("organization_quota_update"))
    @inject
    async def update(
        self, request: Request[Any, Any, Any], access: FromDishka[OrganizationAccess], use_case: FromDishka[SetQuota]
    ) -> QuotaOut:
        organization_id = require_admin(access)
        body = decode_json_body(await request.body(), QuotaIn).feature_flag_requests
        suspended = body.quota_limiting_suspended_until
        cmd = SetQuotaCommand(
            organization_id=organization_id,
            limit=body.limit,
            grace_period_days=body.grace_period_days,
            suspended_until=datetime.fromtimestamp(suspended, UTC) if suspended is not None else None,
        )
        return present(await use_case.execute(cmd))
