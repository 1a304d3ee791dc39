"""An httpx client on the in-process app (``flagcore_app``), its lifespan running around it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

import httpx

if TYPE_CHECKING:
    from litestar import Litestar


@contextlib.asynccontextmanager
async def asgi_client(app: Litestar, base_url: str = "http://flagcore.test") -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on ``app`` over the ASGI transport, inside the app's lifespan (start-up applies the seed)."""
    transport = httpx.ASGITransport(app=cast("Any", app))
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client
