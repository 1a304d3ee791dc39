"""``/metrics``: Prometheus' text format, every worker's numbers (see ``app/observability/metrics.py``)."""

from __future__ import annotations

from typing import Any, Final

from litestar import Request, Response, get
from prometheus_client import CONTENT_TYPE_LATEST

from flagcore.app.http.auth import OPERATOR_ROUTE
from flagcore.app.http.openapi import doc
from flagcore.app.http.operations.operator_auth import OPERATOR_GUARDS
from flagcore.app.http.routes import operation
from flagcore.app.observability.state import observability_of

# Litestar adds the charset itself to text/* types.
_MEDIA_TYPE: Final = CONTENT_TYPE_LATEST.removesuffix("; charset=utf-8")


@get(
    "/metrics",
    opt={**OPERATOR_ROUTE, **doc(response=str, response_media_type=_MEDIA_TYPE, uses_backend=False)},
    guards=OPERATOR_GUARDS,
    operation_id=operation("metrics"),
    tags=["health"],
    sync_to_thread=False,
    media_type=_MEDIA_TYPE,
)
def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    return Response(observability_of(request.app).scrape(), media_type=_MEDIA_TYPE)
