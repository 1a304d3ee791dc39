"""Flag actions over persons: ``user_blast_radius/`` and ``{id}/create_static_cohort_for_flag/`` (spec §4).

Access: the blast radius reads (``feature_flag:read``); creating a flag's cohort writes through the flag viewset
in PostHog, so it asks for ``feature_flag:write``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, post
from litestar.params import FromPath

from flagcore.app.cohorts.flag_cohort import CreateStaticCohortForFlag
from flagcore.app.flags.blast_radius import BlastRadius, ComputeBlastRadius
from flagcore.app.http.auth import FLAG_READ, FLAG_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.management.cohort_schemas import FlagCohortOut, cohort_out
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access

Req = Request[Any, Any, Any]


class BlastRadiusRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A release condition (``properties``; its rollout is ignored) and the group type it counts (null: persons)."""

    condition: Any = None
    group_type_index: Any = None


class FlagCohortActionsController(Controller):
    path = "/"
    tags = ["feature_flags"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @post(
        "/user_blast_radius",
        opt={**FLAG_READ, **doc(body=BlastRadiusRequest)},
        operation_id=operation("feature_flags_user_blast_radius"),
        status_code=200,
    )
    @inject
    async def user_blast_radius(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ComputeBlastRadius]
    ) -> BlastRadius:
        body = decode_json_body(await request.body() or b"{}", BlastRadiusRequest)
        return await use_case.execute(access.project, body.condition, body.group_type_index)

    @post(
        "/{flag_id:int}/create_static_cohort_for_flag",
        opt={**FLAG_WRITE, **doc(no_body=True)},
        operation_id=operation("feature_flags_create_static_cohort_for_flag"),
        status_code=201,
    )
    @inject
    async def create_static_cohort_for_flag(
        self, flag_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[CreateStaticCohortForFlag]
    ) -> FlagCohortOut:
        cohort = await use_case.execute(access.project, access.user.id, flag_id)
        return FlagCohortOut(cohort=cohort_out(cohort))
