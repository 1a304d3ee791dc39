"""Per-route access rules: every route declares who may call it in ``opt["auth"]``.

- ``PUBLIC``: anyone (liveness, schema).
- ``FEED``: the definitions feed (personal key with ``feature_flag:read``, or the project's secret key).
- ``PROJECT_TOKEN``: flag evaluation (``/flags``, ``/decide``): the project's public key sent in the request.
- ``OPERATOR``: operator routes (``/metrics``, ``/_status``): anyone, or the ``FLAGCORE_METRICS_TOKEN`` bearer when set.
- a scope such as ``feature_flag:read``: a personal API key with that scope, whose user belongs to the organization
  of the project in the path.

A test checks that no route is left without a declaration.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Request

from flagcore.app.identity.authorize import Access, Authorize, AuthorizeCommand

AUTH: Final = "auth"
PUBLIC: Final = "public"
FLAG_READ: Final = {AUTH: "feature_flag:read"}
FLAG_WRITE: Final = {AUTH: "feature_flag:write"}
GROUP_READ: Final = {AUTH: "group:read"}
GROUP_WRITE: Final = {AUTH: "group:write"}
PUBLIC_ROUTE: Final = {AUTH: PUBLIC}
#: The definitions feed: a personal API key with feature_flag:read, or the project's own secret key (``phs_``).
FEED = "feature_flag:read or project secret key"
FEED_ROUTE: Final = {AUTH: FEED}
#: /flags and /decide: the project's public API key (``phc_``) in the body or query; the use case checks it.
PROJECT_TOKEN = "project api key in request"  # noqa: S105 - a rule name, not a secret
PROJECT_TOKEN_ROUTE: Final = {AUTH: PROJECT_TOKEN}
#: /metrics and /_status: public unless FLAGCORE_METRICS_TOKEN is set (``operator_auth.OPERATOR_GUARDS`` checks it).
OPERATOR = "operator token when FLAGCORE_METRICS_TOKEN is set"
OPERATOR_ROUTE: Final = {AUTH: OPERATOR}


async def authorize_request(request: Request[Any, Any, Any], authorize: Authorize) -> Access:
    """Authorize ``request`` for the scope its route declares and the ``project_id`` in its path."""
    scope = request.route_handler.opt[AUTH]
    return await authorize.execute(
        AuthorizeCommand(
            authorization=request.headers.get("authorization"),
            project=str(request.path_params.get("project_id", "")),
            scope=scope,
        )
    )
