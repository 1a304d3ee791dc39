"""Request schemas in the OpenAPI document for handlers that decode their body themselves.

Handlers decode with ``decode_json_body`` (DRF's error bodies, depth and NUL checks), so Litestar never sees a
``data`` parameter and would document no request body. Litestar documents the ``data`` parameter of a handler's
declared dependencies as well; this declares one that is never resolved (no handler asks for it), so it only
documents the schema.
"""

from __future__ import annotations

from typing import Any

from litestar.di import Provide


def documents_body(schema: type[Any]) -> dict[str, Provide]:
    """``dependencies=`` for a handler whose body is ``schema``."""

    def request_body(data: Any) -> None:  # noqa: ANN401 - replaced below: the annotation is the schema
        del data

    request_body.__annotations__ = {"data": schema, "return": None}
    return {"request_body_schema": Provide(request_body, sync_to_thread=False)}
