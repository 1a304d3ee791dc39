"""Wire shapes of ``/flags`` and ``/decide``, for the API documentation.

The endpoints decode and render by hand (the hot path, see ``endpoint.py``), leniently as PostHog's server does, so
these Structs are never used to decode: they describe what the code accepts and answers.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from flagcore.app.http.openapi import QueryParam

_UNSET: Final = msgspec.UNSET


class FlagsRequest(msgspec.Struct, kw_only=True):
    """A ``/flags`` request. Also accepted as a form (``data=`` JSON, optionally base64) or base64 text, gzipped."""

    token: str | msgspec.UnsetType = _UNSET
    api_key: str | msgspec.UnsetType = _UNSET
    distinct_id: str | int | msgspec.UnsetType = _UNSET
    anon_distinct_id: str | msgspec.UnsetType = msgspec.field(default=_UNSET, name="$anon_distinct_id")
    device_id: str | msgspec.UnsetType = _UNSET
    groups: dict[str, Any] | msgspec.UnsetType = _UNSET
    person_properties: dict[str, Any] | msgspec.UnsetType = _UNSET
    group_properties: dict[str, dict[str, Any]] | msgspec.UnsetType = _UNSET
    flag_keys_to_evaluate: list[str] | msgspec.UnsetType = _UNSET
    evaluation_contexts: list[str] | msgspec.UnsetType = _UNSET
    evaluation_runtime: str | msgspec.UnsetType = _UNSET
    disable_flags: bool | msgspec.UnsetType = _UNSET
    geoip_disable: bool | msgspec.UnsetType = _UNSET


class FlagsResponse(msgspec.Struct, kw_only=True):
    """The answer, by version: ``flags`` (v2-v4: records) or ``featureFlags`` (v1 and ``/decide``).

    ``featureFlags`` holds values, or a list of enabled keys for ``/decide?v=1``; the client configuration's keys
    are added when ``config=true``.
    """

    flags: dict[str, dict[str, Any]] | msgspec.UnsetType = _UNSET
    featureFlags: dict[str, bool | str] | list[str] | msgspec.UnsetType = _UNSET  # noqa: N815 - the wire name
    featureFlagPayloads: dict[str, Any] | msgspec.UnsetType = _UNSET  # noqa: N815
    errorsWhileComputingFlags: bool | msgspec.UnsetType = _UNSET  # noqa: N815
    quotaLimited: list[str] | msgspec.UnsetType = _UNSET  # noqa: N815
    requestId: str  # noqa: N815
    evaluatedAt: int | msgspec.UnsetType = _UNSET  # noqa: N815


EVALUATION_QUERY: Final = (
    QueryParam(name="v", description="Response version: 1 (legacy map), 2 or 3 (detailed), 4 (typed)."),
    QueryParam(name="config", description="`true` adds the client configuration keys."),
    QueryParam(name="compression", description="`gzip`, `gzip-js` or `base64`: how the body is encoded."),
    QueryParam(name="token", description="The project's public API key (GET requests, or instead of the body's)."),
    QueryParam(name="distinct_id", description="GET requests: the subject's distinct id."),
)
BODY_MEDIA_TYPES: Final = ("application/json", "application/x-www-form-urlencoded", "text/plain")
