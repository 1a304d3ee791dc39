"""The request id: made once per request at the edge, logged on the access line and returned by ``/flags``."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from typing import Final

#: Where the access middleware leaves the id in the ASGI scope for the routes that return it.
REQUEST_ID_KEY: Final = "flagcore.request_id"
_HEADER: Final = b"x-request-id"
# A random hex digit turned into the UUID's variant digit (RFC 4122: binary 10xx).
_VARIANT_DIGIT: Final = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_request_id(supplied: str | None = None) -> str:
    """A caller-supplied ``X-Request-Id`` that is a UUID, normalised; else a new random UUID (version 4)."""
    # Kept when it is a UUID, so logs can be followed across proxies; anything else could inject text into logs.
    if supplied:
        try:
            return str(uuid.UUID(supplied))
        except ValueError:
            pass
    # What str(uuid.uuid4()) gives (same randomness, version 4, RFC 4122 variant) in a third of its time.
    digits = os.urandom(16).hex()
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{_VARIANT_DIGIT[digits[16]]}{digits[17:20]}-{digits[20:]}"


def request_id_of(raw_headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The request id for an ASGI scope's raw headers (see ``new_request_id``)."""
    for name, value in raw_headers:
        if name.lower() == _HEADER:
            return new_request_id(value.decode("latin-1"))
    return new_request_id()
