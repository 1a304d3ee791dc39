"""Per-route access rules: every route declares who may call it in ``opt["auth"]`` (an ``AccessRule``).

- ``PUBLIC_ROUTE``: anyone (liveness, readiness, schema).
- ``OPERATOR_ROUTE``: operator routes (``/metrics``, ``/_status``): anyone, or the ``FLAGCORE_METRICS_TOKEN`` bearer
  when set.
- ``PROJECT_TOKEN_ROUTE``: flag evaluation (``/flags``, ``/decide``): the project's public key in the request.
- ``FEED_ROUTE``: the definitions feed: a personal key with ``feature_flag:read``, or the project's own secret key.
- ``FLAG_READ`` ... ``GROUP_WRITE``: a personal API key with that scope, whose user belongs to the organization of
  the project the request names.

How a request names its project is a property of the route set it belongs to (``opt["project_ref"]``): the path's
``{project_id}`` (an id or ``@current``), or, for the legacy set, the key owner's current project or ``?token=``.
A test checks that no route is left without a rule.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Request

from flagcore.app.identity.authorize import ProjectRef
from flagcore.domain.identity import CURRENT, AccessRule, Target

AUTH: Final = "auth"
#: Route-set option: how routes of the set name their project (``path`` or ``legacy``).
PROJECT_REF: Final = "project_ref"
PATH_PROJECT: Final = "path"
LEGACY_PROJECT: Final = "legacy"


def rule(target: Target, scope: str | None = None, *, secret_key: bool = False) -> dict[str, AccessRule]:
    """A route's ``opt`` declaring its access rule."""
    return {AUTH: AccessRule(target=target, scope=scope, secret_key=secret_key)}


PUBLIC_ROUTE: Final = rule(Target.PUBLIC)
#: /metrics and /_status: public unless FLAGCORE_METRICS_TOKEN is set (``operator_auth.OPERATOR_GUARDS`` checks it).
OPERATOR_ROUTE: Final = rule(Target.OPERATOR)
PROJECT_TOKEN_ROUTE: Final = rule(Target.PROJECT_TOKEN)
FLAG_READ: Final = rule(Target.PROJECT, "feature_flag:read")
FLAG_WRITE: Final = rule(Target.PROJECT, "feature_flag:write")
ORG_FLAG_READ: Final = rule(Target.ORGANIZATION, "feature_flag:read")
ORG_FLAG_WRITE: Final = rule(Target.ORGANIZATION, "feature_flag:write")
ACTIVITY_READ: Final = rule(Target.PROJECT, "activity_log:read")
GROUP_READ: Final = rule(Target.PROJECT, "group:read")
GROUP_WRITE: Final = rule(Target.PROJECT, "group:write")
FEED_ROUTE: Final = rule(Target.PROJECT, "feature_flag:read", secret_key=True)
# Tenants. Organization routes need membership of the path's organization; user routes act on the caller's own.
ORGANIZATIONS_LIST: Final = rule(Target.USER, "organization:read")
ORGANIZATIONS_CREATE: Final = rule(Target.USER, "organization:write")
ORGANIZATION_READ: Final = rule(Target.ORGANIZATION, "organization:read")
ORGANIZATION_WRITE: Final = rule(Target.ORGANIZATION, "organization:write")
ORGANIZATION_PROJECTS_READ: Final = rule(Target.ORGANIZATION, "project:read")
ORGANIZATION_PROJECTS_WRITE: Final = rule(Target.ORGANIZATION, "project:write")
MEMBER_READ: Final = rule(Target.ORGANIZATION, "organization_member:read")
MEMBER_WRITE: Final = rule(Target.ORGANIZATION, "organization_member:write")
PROJECT_READ: Final = rule(Target.PROJECT, "project:read")
PROJECT_WRITE: Final = rule(Target.PROJECT, "project:write")
USER_READ: Final = rule(Target.USER, "user:read")
PERSONAL_KEY_READ: Final = rule(Target.USER, "personal_api_key:read")
PERSONAL_KEY_WRITE: Final = rule(Target.USER, "personal_api_key:write")
#: The admin UI's pages: a signed-in session; sign-in itself and the UI's static files are public.
UI_PAGE: Final = rule(Target.SESSION)
#: ``{id}/remote_config/``: like the feed, a personal key with ``feature_flag:read`` or the project's secret key.
REMOTE_CONFIG_ROUTE: Final = rule(Target.PROJECT, "feature_flag:read", secret_key=True)


def route_rule(opt: dict[str, Any]) -> AccessRule:
    """The access rule a route declares (a route without one is a bug the route test catches)."""
    declared: AccessRule = opt[AUTH]
    return declared


def project_ref(
    opt: dict[str, Any], path_params: dict[str, Any], query: dict[str, str], *, token_wins: bool = False
) -> ProjectRef:
    """How this request names its project, by the rule of its route set (see the module docstring).

    ``?token=<phc_ key>`` names the project of a route without ``{project_id}`` in its path (the legacy set, the
    definitions feed); with ``token_wins`` (the feed, as PostHog reads it) it wins over the path too.
    """
    token = query.get("token") or query.get("api_key")
    path = path_params.get("project_id")
    if path is None or opt.get(PROJECT_REF) == LEGACY_PROJECT:
        return ProjectRef(path=CURRENT, token=token)
    return ProjectRef(path=str(path), token=token if token_wins else None)


def request_project_ref(request: Request[Any, Any, Any]) -> ProjectRef:
    """``project_ref`` of a Litestar request."""
    query = {name: request.query_params[name] for name in ("token", "api_key") if name in request.query_params}
    return project_ref(request.route_handler.opt, request.path_params, query)
