"""Liveness: answers as long as the process serves requests (no dependency checks, so it never flaps with them)."""

from __future__ import annotations

from litestar import get

from flagcore.app.http.auth import PUBLIC_ROUTE
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation


@get(
    "/_health",
    opt={**PUBLIC_ROUTE, **doc(uses_backend=False)},
    operation_id=operation("health"),
    tags=["health"],
    sync_to_thread=False,
)
def health() -> dict[str, str]:
    return {"status": "ok"}
