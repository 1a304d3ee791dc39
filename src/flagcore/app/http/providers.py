"""The HTTP edge's dishka provider: the caller and their access, resolved once per request from the route's rule."""

from __future__ import annotations

from typing import Any

from dishka import Provider, Scope, provide
from litestar import Request

from flagcore.app.http.auth import project_ref, request_project_ref, route_rule
from flagcore.app.http.management.presenter import FlagPresenter
from flagcore.app.http.ui.choices import FormChoices
from flagcore.app.http.ui.session import SESSION_COOKIE, SignInRequiredError, UiUser
from flagcore.app.identity.authenticate import Authenticate
from flagcore.app.identity.authorize import Access, Authorize, OrganizationAccess, ProjectGrant, UserAccess
from flagcore.app.identity.sign_in import CurrentSession
from flagcore.app.quota.throttles import Throttles
from flagcore.domain.identity import Principal

Req = Request[Any, Any, Any]


class HttpProvider(Provider):
    presenter = provide(FlagPresenter, scope=Scope.APP)
    form_choices = provide(FormChoices, scope=Scope.APP)

    @provide(scope=Scope.REQUEST)
    async def principal(self, request: Request, authenticate: Authenticate, throttles: Throttles) -> Principal:  # type: ignore[type-arg]  # dishka keys on the bare class
        principal = await authenticate.execute(request.headers.get("authorization"))
        # PostHog's burst and sustained throttles, per personal key. Routes a secret key may also call (the feed,
        # remote config) have their own per-project throttle instead, as in PostHog.
        if principal.key is not None and not route_rule(request.route_handler.opt).secret_key:
            await throttles.personal_key(principal.key.id)
        return principal

    @provide(scope=Scope.REQUEST)
    async def access(self, request: Request, principal: Principal, authorize: Authorize) -> Access:  # type: ignore[type-arg]
        scope = route_rule(request.route_handler.opt).scope or ""
        return await authorize.personal(principal, request_project_ref(request), scope=scope)

    @provide(scope=Scope.REQUEST)
    async def project_grant(self, request: Request, principal: Principal, authorize: Authorize) -> ProjectGrant:  # type: ignore[type-arg]
        """For routes the project's secret key may call too; ``?token=`` names the project, as for the feed."""
        declared = route_rule(request.route_handler.opt)
        query = {name: request.query_params[name] for name in ("token", "api_key") if name in request.query_params}
        ref = project_ref(request.route_handler.opt, request.path_params, query, token_wins=True)
        return await authorize.project(principal, ref, scope=declared.scope or "", secret_key=declared.secret_key)

    @provide(scope=Scope.REQUEST)
    async def organization_access(
        self,
        request: Request,  # type: ignore[type-arg]
        principal: Principal,
        authorize: Authorize,
    ) -> OrganizationAccess:
        scope = route_rule(request.route_handler.opt).scope or ""
        ref = str(request.path_params.get("organization_id", "@current"))
        return await authorize.organization(principal, ref, scope=scope)

    @provide(scope=Scope.REQUEST)
    async def user_access(self, request: Request, principal: Principal, authorize: Authorize) -> UserAccess:  # type: ignore[type-arg]
        return await authorize.user(principal, scope=route_rule(request.route_handler.opt).scope)

    @provide(scope=Scope.REQUEST)
    async def ui_user(self, request: Request, current: CurrentSession) -> UiUser:  # type: ignore[type-arg]
        """The admin UI's signed-in user (a redirect to the sign-in page without a live session)."""
        found = await current.execute(request.cookies.get(SESSION_COOKIE))
        if found is None:
            query = request.scope.get("query_string", b"").decode("latin-1")
            raise SignInRequiredError(request.url.path + (f"?{query}" if query else ""))
        session, user = found
        # The body cannot be read here (dishka's request has no receive channel): POST handlers read their form
        # through ``UiUser.form``, which checks the CSRF token (a test posts to every UI route without one).
        return UiUser(user=user, session=session)
