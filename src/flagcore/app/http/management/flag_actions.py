"""List-level flag actions that evaluate: ``feature_flags/my_flags/`` and ``feature_flags/evaluation_reasons/``.

Both ask the ``RemoteEvaluator`` (in process, or a ``/flags?v=2`` service), as PostHog proxies them to its flag
service. Access: PostHog gives these actions no API-key scope, so it refuses *scoped* personal keys on them; flagcore
has no unscoped keys and no sessions, so it requires ``feature_flag:read`` instead.
"""

from __future__ import annotations

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get

from flagcore.app.evaluation.evaluation_reasons import EvaluationReasons, EvaluationReasonsCommand, FlagReason
from flagcore.app.evaluation.my_flags import MyFlag, MyFlags, MyFlagsCommand
from flagcore.app.http.auth import FLAG_READ
from flagcore.app.http.openapi import QueryParam, doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.json_limits import exceeds_json_depth, too_deep_message

GROUPS = QueryParam(name="groups", description='The subject\'s groups as JSON: `{"company": "id"}`.')
DISTINCT_ID = QueryParam(name="distinct_id", description="The subject to evaluate for.")

Req = Request[Any, Any, Any]


class FlagActionsController(Controller):
    # Mounted beside FeatureFlagController: static segments win over its ``{flag_id:int}`` routes.
    path = "/"
    tags = ["feature_flags"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/my_flags", opt={**FLAG_READ, **doc(query=[GROUPS])}, operation_id=operation("feature_flags_my_flags"))
    @inject
    async def my_flags(self, request: Req, access: FromDishka[Access], use_case: FromDishka[MyFlags]) -> list[MyFlag]:
        groups = parse_groups(request.query_params.get("groups"))
        distinct_id = access.user.distinct_id
        return await use_case.execute(MyFlagsCommand(project=access.project, distinct_id=distinct_id, groups=groups))

    @get(
        "/evaluation_reasons",
        opt={**FLAG_READ, **doc(query=[DISTINCT_ID, GROUPS])},
        operation_id=operation("feature_flags_evaluation_reasons"),
    )
    @inject
    async def evaluation_reasons(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[EvaluationReasons]
    ) -> dict[str, FlagReason]:
        groups = parse_groups(request.query_params.get("groups"))
        distinct_id = request.query_params.get("distinct_id") or ""
        cmd = EvaluationReasonsCommand(project=access.project, distinct_id=distinct_id, groups=groups)
        return await use_case.execute(cmd)


def parse_groups(raw: str | None) -> dict[str, str]:
    """The ``groups`` query parameter: a JSON object of group type to group key (absent or empty: no groups).

    Numeric keys are sent as their decimal text, as the flag service hashes them.

    Raises:
        InvalidInputError: not JSON (or nested too deeply), not an object, or a group key that is neither a string
            nor a number.
    """
    if not raw:
        return {}
    if exceeds_json_depth(raw):
        raise InvalidInputError(f"Invalid JSON in groups parameter: {too_deep_message()}", attr="groups")
    try:
        decoded = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise InvalidInputError("Invalid JSON in groups parameter", attr="groups") from None
    if not isinstance(decoded, dict):
        raise InvalidInputError("groups must be a JSON object", attr="groups")
    groups: dict[str, str] = {}
    for group_type, key in decoded.items():
        if isinstance(key, bool) or not isinstance(key, str | int | float):
            raise InvalidInputError(f"groups.{group_type} must be a string or a number", attr="groups")
        groups[group_type] = key if isinstance(key, str) else str(key)
    return groups
