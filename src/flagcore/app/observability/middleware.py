"""The access log and the request metrics, as one bare ASGI middleware around the whole app.

Per request it reads the clock twice, wraps ``send`` to see the status, makes the request id (or takes the
caller's ``X-Request-Id`` UUID) and leaves it in the scope for ``/flags``, then hands the results to the metrics
(cached children: a dict lookup and two increments) and the access log (one queue put; the writer thread does
the rest). No Litestar ``Request``, no ``LogRecord`` on the event loop. The route is Litestar's template for the
matched route (``scope["path_template"]``, set by its router in this same scope), so raw paths, ids and query
strings never reach a label or a log line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, cast

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from flagcore.app.observability.evaluations import EVALUATIONS_KEY
from flagcore.app.observability.logs import AccessEntry, LogWriter
from flagcore.app.observability.metrics import UNMATCHED_ROUTE, Metrics
from flagcore.app.observability.request_id import REQUEST_ID_KEY, request_id_of
from flagcore.domain.evaluation import FlagResult

_perf_counter = time.perf_counter
_time = time.time


class ObservabilityMiddleware:
    __slots__ = ("_access", "_app", "_count", "_metrics")

    def __init__(self, app: ASGIApp, *, metrics: Metrics | None, access: LogWriter | None) -> None:
        self._app = app
        self._access = access
        self._metrics: Metrics | None = None
        self._count: Callable[[Mapping[str, FlagResult]], None] | None = None
        if metrics is not None:
            self.measure(metrics)

    def measure(self, metrics: Metrics) -> None:
        """Start counting into ``metrics`` (they come from the container, which is ready only at start-up)."""
        self._metrics = metrics
        self._count = metrics.count_evaluations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = cast("dict[str, Any]", scope)  # our own keys beside the ASGI ones
        if raw["type"] != "http":
            await self._app(scope, receive, send)
            return
        start = _perf_counter()
        access = self._access
        request_id = ""
        if access is not None:
            request_id = raw[REQUEST_ID_KEY] = request_id_of(raw["headers"])
        if self._count is not None:
            raw[EVALUATIONS_KEY] = self._count
        status = 500  # what the client gets if the app fails before answering (the server sends it)

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_status)
        finally:
            seconds = _perf_counter() - start
            route = raw.get("path_template") or UNMATCHED_ROUTE
            method: str = raw["method"]
            if self._metrics is not None:
                self._metrics.observe_request(route, method, status, seconds)
            if access is not None:
                access.put(AccessEntry(_time(), method, route, status, seconds * 1000, request_id))
