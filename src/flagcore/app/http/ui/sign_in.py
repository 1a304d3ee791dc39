"""Sign-in and sign-out pages: email + password, a session cookie (HttpOnly, SameSite=Lax), CSRF on both forms."""

from __future__ import annotations

import secrets
from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect

from flagcore.app.http.auth import PUBLIC_ROUTE, UI_PAGE
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    UI_PREFIX,
    CsrfError,
    UiUser,
    check_csrf,
    form_data,
)
from flagcore.app.identity.sign_in import SignIn, SignOut
from flagcore.app.settings import Settings
from flagcore.domain.identity.sign_in import SESSION_LIFETIME, BadCredentialsError, TooManyAttemptsError

Req = Request[Any, Any, Any]


def safe_next(raw: object) -> str:
    """Where to go after signing in: only a path inside the UI (never another site: an open redirect)."""
    if isinstance(raw, str) and raw.startswith(f"{UI_PREFIX}/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return f"{UI_PREFIX}/"


def _sign_in_page(
    next_path: str, *, secure: bool, error: str | None = None, email: str = "", status: int = 200
) -> Response[str]:
    token = secrets.token_urlsafe(32)
    response = render(
        "sign_in.html", ui_user=None, csrf=token, next_path=next_path, error=error, email=email, status=status
    )
    response.set_cookie(
        Cookie(
            key=SIGN_IN_CSRF_COOKIE,
            value=token,
            path=f"{UI_PREFIX}/",
            httponly=True,
            samesite="strict",
            secure=secure,
        )
    )
    return response


class SignInController(Controller):
    path = UI_PREFIX
    include_in_schema = False

    @get("/sign-in", opt=PUBLIC_ROUTE)
    @inject
    async def sign_in_form(self, request: Req, settings: FromDishka[Settings]) -> Response[str]:
        return _sign_in_page(safe_next(request.query_params.get("next")), secure=settings.ui_secure_cookie)

    @post("/sign-in", opt=PUBLIC_ROUTE)
    @inject
    async def sign_in(
        self, request: Req, use_case: FromDishka[SignIn], settings: FromDishka[Settings]
    ) -> Response[Any]:
        form = await form_data(request)
        check_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""), form)
        next_path = safe_next(form.get("next"))
        email = str(form.get("email", ""))
        try:
            signed_in = await use_case.execute(email, str(form.get("password", "")))
        except (BadCredentialsError, TooManyAttemptsError) as exc:
            status = 429 if isinstance(exc, TooManyAttemptsError) else 401
            return _sign_in_page(
                next_path, secure=settings.ui_secure_cookie, error=exc.detail, email=email, status=status
            )
        response: Response[Any] = Redirect(path=next_path, status_code=303)
        response.set_cookie(
            Cookie(
                key=SESSION_COOKIE,
                value=signed_in.token,
                path=f"{UI_PREFIX}/",
                httponly=True,
                samesite="lax",
                secure=settings.ui_secure_cookie,
                max_age=int(SESSION_LIFETIME.total_seconds()),
            )
        )
        response.delete_cookie(SIGN_IN_CSRF_COOKIE, path=f"{UI_PREFIX}/")
        return response

    @post("/sign-out", opt=UI_PAGE)
    @inject
    async def sign_out(self, request: Req, ui: FromDishka[UiUser], use_case: FromDishka[SignOut]) -> Response[Any]:
        await ui.form(request)  # the CSRF check: a cross-site form cannot sign anyone out
        await use_case.execute(request.cookies.get(SESSION_COOKIE, ""))
        response: Response[Any] = Redirect(path=f"{UI_PREFIX}/sign-in", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=f"{UI_PREFIX}/")
        return response


__all__ = ("CsrfError", "SignInController", "safe_next")
