"""``/flags`` and ``/decide`` answered without Litestar's router and dishka's request container (issue 14).

They are the requests every page view and every backend call makes. Their endpoints are already bare ASGI apps
(:class:`~flagcore.app.http.evaluation.endpoint.EvaluationEndpoint`: raw scope in, bytes out, APP-scoped use case),
but reaching them still cost what every route pays: dishka's middleware opening (and closing) a request-scoped
container, Litestar's router building its route scope, the handler call and the conversion of what it returns,
about 15% of a ``/flags`` request's instructions in process (docs/performance.md, "Evaluation API (HTTP)").
This dispatcher sits in front of them (inside the response headers and the observability middleware, so CORS,
security headers, the access log and the metrics are the same) and hands an exact path and method straight to the
endpoint. Everything else goes on to Litestar, which still declares these routes: their OpenAPI operations, their
auth rule, and the 405 and preflight answers for other methods come from there, unchanged.

Errors take the app's one error mapping (:data:`~flagcore.app.http.errors.EXCEPTION_HANDLERS`), resolved as
Litestar resolves it (the most specific class of the exception's MRO), so a bad body, an unknown token or an outage
answers with the same status and PostHog body either way. Only the making of the answer is inside that handling:
the sends come after it, so an error never follows a started response, and a failing ``send`` (the client went
away) propagates to the server as it would from any route, instead of being answered with a second response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol

from litestar import Request
from litestar.types import ASGIApp, ExceptionHandlersMap, Receive, Scope, Send

from flagcore.app.http.errors import EXCEPTION_HANDLERS
from flagcore.app.http.evaluation.endpoint import DECIDE_ENDPOINT, FLAGS_ENDPOINT


class FastEndpoint(Protocol):
    """An endpoint that makes its whole answer first (errors raised), then sends it."""

    async def answer(self, scope: Any, receive: Receive) -> bytes: ...  # noqa: ANN401 - an HTTP scope

    async def respond(self, send: Send, body: bytes) -> None: ...


#: Exact path -> (route template for the metrics and the access log, endpoint). Litestar serves each route with and
#: without its trailing slash; so does this.
_ROUTES: Final[Mapping[str, tuple[str, FastEndpoint]]] = {
    f"{template}{slash}": (template, endpoint)
    for template, endpoint in (("/flags", FLAGS_ENDPOINT), ("/decide", DECIDE_ENDPOINT))
    for slash in ("", "/")
}
_METHODS: Final = frozenset({"GET", "POST"})


class FastPaths:
    """Dispatch the evaluation routes' exact paths to their endpoints; pass everything else to ``app``."""

    __slots__ = ("_app", "_handlers", "_routes")

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Mapping[str, tuple[str, FastEndpoint]] = _ROUTES,
        handlers: ExceptionHandlersMap = EXCEPTION_HANDLERS,
    ) -> None:
        self._app = app
        self._routes = routes
        self._handlers = handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw: dict[str, Any] = scope  # type: ignore[assignment]  # our key beside the ASGI ones (no cast() call)
        if raw["type"] == "http" and raw["method"] in _METHODS and not raw.get("root_path"):
            found = self._routes.get(raw["path"])
            if found is not None:
                raw["path_template"] = found[0]  # as Litestar's router sets it, for the metrics and the access log
                endpoint = found[1]
                try:
                    body = await endpoint.answer(scope, receive)
                except Exception as exc:  # noqa: BLE001 - every error is answered by the app's one error mapping
                    await self._answer_error(scope, receive, send, exc)
                    return
                await endpoint.respond(send, body)
                return
        await self._app(scope, receive, send)

    async def _answer_error(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        handler = next(
            (self._handlers[kind] for kind in type(exc).__mro__ if kind in self._handlers),
            self._handlers[Exception],
        )
        request: Request[Any, Any, Any] = Request(scope, receive)
        response = handler(request, exc)
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)
