"""``/api/organizations/{organization_id}/quota/``: an organization's limits and usage (owners and admins).

One object per resource, shaped like PostHog's organization usage; timestamps are Unix seconds as PostHog stores
them, the period is two ISO 8601 instants. ``PUT`` takes ``{"feature_flag_requests": {"limit": N | null,
"grace_period_days"?: N, "quota_limiting_suspended_until"?: ts | null}}``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, put

from flagcore.app.http.auth import rule
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import OrganizationAccess
from flagcore.app.quota.manage import GetQuota, SetQuota, SetQuotaCommand, require_admin
from flagcore.app.quota.wire import QuotaIn, QuotaOut, present
from flagcore.domain.identity import Target

QUOTA_READ: Final = rule(Target.ORGANIZATION, "organization:read")
QUOTA_WRITE: Final = rule(Target.ORGANIZATION, "organization:write")


class QuotaController(Controller):
    path = "/api/organizations/{organization_id:str}/quota"
    tags = ["quota"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=QUOTA_READ, operation_id=operation("organization_quota_retrieve"))
    @inject
    async def retrieve(self, access: FromDishka[OrganizationAccess], use_case: FromDishka[GetQuota]) -> QuotaOut:
        return present(await use_case.execute(require_admin(access)))

    @put("/", opt={**QUOTA_WRITE, **doc(body=QuotaIn)}, operation_id=operation("organization_quota_update"))
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
            user_id=access.user.id,
        )
        return present(await use_case.execute(cmd))
