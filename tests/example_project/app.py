"""A tiny application under test: an ASGI app whose checkout page depends on a PostHog feature flag.

It is what a flagcore user's own project looks like: it knows nothing of flagcore, only of posthog-python.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from posthog import Posthog

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def make_app(posthog: Posthog) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        user = parse_qs(scope.get("query_string", b"").decode()).get("user", ["anonymous"])[0]
        if scope["path"] != "/checkout":
            await _respond(send, 404, b"not found")
            return
        with warnings.catch_warnings():  # posthog 7.9x deprecates feature_enabled for evaluate_flags
            warnings.simplefilter("ignore", DeprecationWarning)
            enabled = posthog.feature_enabled("new-checkout", user)
        variant = b"new" if enabled else b"old"
        await _respond(send, 200, b"checkout: " + variant)

    return app


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})
