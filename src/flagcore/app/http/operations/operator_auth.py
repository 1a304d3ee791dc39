"""Who may read the operator routes (``/metrics``, ``/_status``): anyone, unless ``FLAGCORE_METRICS_TOKEN`` is set.

They reveal counters and tier names only, so by default they answer anyone, like ``/_health`` (scrapers and load
balancers need no credentials). Where the port is reachable from outside the trusted network, set the token: then
only ``Authorization: Bearer <token>`` is served, compared in constant time.
"""

from __future__ import annotations

import hmac
from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from flagcore.app.settings import Settings
from flagcore.domain.errors import UnauthenticatedError


class OperatorTokenError(UnauthenticatedError):
    code = "authentication_failed"

    def __init__(self) -> None:
        super().__init__("This route needs the operator token (FLAGCORE_METRICS_TOKEN) as a Bearer token.")


async def operator_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: pass when no token is configured, or when the request carries it."""
    settings: Settings = await connection.app.state.dishka_container.get(Settings)
    token = settings.metrics_token
    if not token:
        return
    scheme, _sep, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise OperatorTokenError


OPERATOR_GUARDS: Final[list[Guard]] = [operator_token]
