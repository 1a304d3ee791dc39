"""The admin UI under ``/ui/``: its pages, its static files (cached), and how its errors are shown (as pages)."""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from litestar import Request, Response, Router
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from flagcore.app.http.auth import PUBLIC_ROUTE
from flagcore.app.http.errors import error_status, unexpected_error_handler
from flagcore.app.http.ui.render import STATIC, render
from flagcore.app.http.ui.session import UI_PREFIX, CsrfError, SignInRequiredError
from flagcore.domain.errors import FlagcoreError

Req = Request[Any, Any, Any]

#: Pages run only this app's own scripts and styles; nothing may frame them.
_SECURITY_HEADERS: Final = [
    ResponseHeader(
        name="Content-Security-Policy",
        value=(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
    ),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
]
#: A year: asset URLs carry ``?v=ASSET_VERSION``, so a new release is fetched anew.
_ASSET_MAX_AGE: Final = 365 * 86400


def _sign_in(request: Req, exc: SignInRequiredError) -> Response[Any]:
    del request
    return Redirect(path=f"{UI_PREFIX}/sign-in?next={quote(exc.next_path, safe='/')}", status_code=303)


def _csrf(request: Req, exc: CsrfError) -> Response[str]:
    del request, exc
    detail = "The form was stale or did not come from this site. Reload the page and try again."
    return render("error.html", ui_user=None, heading="Form expired", detail=detail, status=403)


def _domain_error(request: Req, exc: FlagcoreError) -> Response[Any]:
    status = error_status(exc)
    if status >= 500:  # noqa: PLR2004
        return unexpected_error_handler(request, exc)
    heading = {404: "Not found", 403: "Not allowed", 401: "Sign in required"}.get(status, "Something went wrong")
    return render("error.html", ui_user=None, heading=heading, detail=exc.detail, status=status)


def _http_error(request: Req, exc: HTTPException) -> Response[Any]:
    if exc.status_code >= 500:  # noqa: PLR2004
        return unexpected_error_handler(request, exc)
    return render("error.html", ui_user=None, heading="Not found", detail=str(exc.detail), status=exc.status_code)


def ui_router(pages: list[ControllerRouterHandler]) -> Router:
    """The UI's pages and static files, mounted at the app's root (their paths start with ``/ui``)."""
    static = create_static_files_router(
        path=f"{UI_PREFIX}/static",
        directories=[STATIC],
        opt=dict(PUBLIC_ROUTE),
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=_ASSET_MAX_AGE, public=True),
        name="ui_static",
    )
    return Router(
        path="/",
        route_handlers=[*pages, static],
        include_in_schema=False,
        response_headers=_SECURITY_HEADERS,
        exception_handlers={
            SignInRequiredError: _sign_in,
            CsrfError: _csrf,
            FlagcoreError: _domain_error,
            HTTPException: _http_error,
        },
    )
