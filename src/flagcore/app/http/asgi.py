"""Helpers for the hot-path routes that answer as bare ASGI apps (see ``evaluation.py`` for why).

They read the raw scope instead of Litestar's ``Request`` and fetch APP-scoped use cases from the dishka container
once per app, instead of opening a request container for each request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from litestar import Litestar

T = TypeVar("T")


def scope_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The ASGI scope's headers by lower-case name, the first of repeated ones winning (as ``Headers.get`` does)."""
    headers: dict[str, str] = {}
    for name, value in raw:
        headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return headers


async def app_scoped(app: Litestar, kind: type[T]) -> T:
    """The app's instance of an APP-scoped dependency, resolved on first use and kept in the app state.

    Only for APP-scoped types: that is the instance any injection would give.
    """
    key = f"flagcore.app_scoped.{kind.__module__}.{kind.__qualname__}"
    instance: T | None = app.state.get(key)
    if instance is None:
        instance = await app.state.dishka_container.get(kind)
        app.state[key] = instance
    return instance
