"""The access log and the request metrics, as one bare ASGI middleware around the whole app.

Per request it reads the clock twice, learns the status, then hands the results to the metrics (a tally: a dict
lookup, three additions and a bisection) and the access log (one ``deque.append`` of a tuple; the writer thread
does the rest, including the wall-clock time). No Litestar ``Request``, no ``LogRecord`` on the event loop. The
route is Litestar's template for the matched route (``scope["path_template"]``, set by its router in this same
scope), so raw paths, ids and query strings never reach a label or a log line.

What it does not do per request, because it was measured to matter on ``/flags`` (docs/performance.md):

- wrap ``send`` to see the status, when the app runs inside ``ResponseHeaders``, whose ``send`` wrapper already
  records it in the scope (:data:`STATUS_KEY`);
- count every request's flag results by reason: counting 50 results (a C loop over them) was about 40,000
  instructions, 4% of a ``/flags`` request in process, so ``Metrics.count_evaluations`` counts the results of 1
  evaluation request in ``sample`` (see there);
- make the request id: ``/flags`` makes the one it returns and leaves it in the scope (:data:`REQUEST_ID_KEY`),
  and for every other route the writer thread derives it from the request's headers (the caller's
  ``X-Request-Id`` when it is a UUID, else a random one), off the event loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from flagcore.app.observability.evaluations import EVALUATIONS_KEY
from flagcore.app.observability.logs import LogWriter
from flagcore.app.observability.metrics import UNMATCHED_ROUTE, Metrics
from flagcore.app.observability.request_id import REQUEST_ID_KEY
from flagcore.domain.evaluation import FlagResult

#: The response status, kept in the scope by an outer middleware's ``send`` wrapper (set to 500 before the app
#: runs: what the client gets if the app fails before answering, as the server then sends it).
STATUS_KEY: Final = "flagcore.status"
_perf_counter = time.perf_counter


class ObservabilityMiddleware:
    __slots__ = ("_access", "_app", "_count", "_observe", "_sample")

    def __init__(self, app: ASGIApp, *, metrics: Metrics | None, access: LogWriter | None, sample: int = 1) -> None:
        self._app = app
        self._access = access.access if access is not None else None
        self._observe: Callable[[str, str, int, float], None] | None = None
        self._count: Callable[[Mapping[str, FlagResult]], None] | None = None
        self._sample = max(1, sample)
        if metrics is not None:
            self.measure(metrics)

    def measure(self, metrics: Metrics) -> None:
        """Start counting into ``metrics`` (they come from the container, which is ready only at start-up)."""
        self._observe = metrics.observe_request
        metrics.sample_evaluations(self._sample)
        self._count = metrics.count_evaluations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw: dict[str, Any] = scope  # type: ignore[assignment]  # our own keys beside the ASGI ones (no cast() call)
        if raw["type"] != "http":
            await self._app(scope, receive, send)
            return
        start = _perf_counter()
        if self._count is not None:
            raw[EVALUATIONS_KEY] = self._count
        if STATUS_KEY in raw:  # the outer middleware records the status: no wrapper of ours
            try:
                await self._app(scope, receive, send)
            finally:
                self._done(raw, start, raw[STATUS_KEY])
            return
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_status)
        finally:
            self._done(raw, start, status)

    def _done(self, raw: dict[str, Any], start: float, status: int) -> None:
        end = _perf_counter()
        route = raw.get("path_template") or UNMATCHED_ROUTE
        method: str = raw["method"]
        if self._observe is not None:
            self._observe(route, method, status, end - start)
        if self._access is not None:
            self._access((end, method, route, status, end - start, raw.get(REQUEST_ID_KEY) or raw["headers"]))
