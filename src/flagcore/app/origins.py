"""``FLAGCORE_CORS_ORIGINS``: the browser origins allowed to call the management API, as browsers spell them."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def parse_origins(value: str) -> frozenset[str]:
    """The comma-separated origins in ``value``, normalised to what a browser sends in ``Origin``.

    Scheme and host are lower-cased and a default port is dropped (``HTTPS://Admin.example.com:443`` becomes
    ``https://admin.example.com``), so the comparison with the header is a plain set lookup. Empty: no origin.

    Raises:
        ValueError: an entry is not ``http(s)://host[:port]`` (a path, query, credentials or ``*`` are refused: a
            wildcard would let any web page use a key pasted into it).
    """
    origins: set[str] = set()
    for raw in value.split(","):
        entry = raw.strip()
        if entry:
            origins.add(_origin(entry))
    return frozenset(origins)


def _origin(entry: str) -> str:
    if "*" in entry:
        msg = f"{entry!r}: wildcards are not allowed; list each origin (any web page could use a key pasted into it)"
        raise ValueError(msg)
    try:
        parts = urlsplit(entry)
        port = parts.port  # raises on a port out of range or not a number
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme.lower() not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        msg = f"{entry!r} is not an origin; give scheme://host[:port], e.g. https://admin.example.com"
        raise ValueError(msg)
    scheme = parts.scheme.lower()
    host = parts.hostname  # urlsplit lower-cases it
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    return f"{scheme}://{host}" if port in {None, _DEFAULT_PORTS[scheme]} else f"{scheme}://{host}:{port}"
