"""``GET /api/projects/{project_id}/flag_value/values?key={flag_id}``: the values a flag can take (spec §10).

The UI fills the value picker of a flag-dependency condition from it; ``key`` is the flag's id because dependency
conditions name flags by id. Errors are PostHog's bare ``{"error": ...}`` bodies.
"""

from __future__ import annotations

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get

from flagcore.app.flags.queries import GetFlag
from flagcore.app.http.auth import FLAG_READ
from flagcore.app.http.errors import ErrorMessageResponse, error_message_statuses
from flagcore.app.http.openapi import QueryParam, doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.domain.flags import FlagNotFoundError
from flagcore.domain.ids import parse_id

Req = Request[Any, Any, Any]


_VALUES_OPT = {
    **FLAG_READ,
    **doc(
        query=[QueryParam(name="key", description="The flag's id.", required=True)],
        statuses=error_message_statuses(400, 404),
    ),
}


class FlagValue(msgspec.Struct, frozen=True, kw_only=True):
    name: bool | str


class FlagValueController(Controller):
    path = "/"
    tags = ["feature_flags"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/values", opt=_VALUES_OPT, operation_id=operation("flag_value_values"))
    @inject
    async def values(self, request: Req, access: FromDishka[Access], use_case: FromDishka[GetFlag]) -> list[FlagValue]:
        raw = request.query_params.get("key")
        if not raw:
            raise ErrorMessageResponse(400, "Missing flag ID parameter")
        flag_id = parse_id(raw)
        if flag_id is None:
            raise ErrorMessageResponse(400, "Invalid flag ID - must be a valid integer")
        try:
            flag = await use_case.execute(access.project.id, flag_id)
        except FlagNotFoundError:
            raise ErrorMessageResponse(404, "Feature flag not found") from None
        return [FlagValue(name=True), FlagValue(name=False), *(FlagValue(name=k) for k in flag.filters.variant_keys)]
