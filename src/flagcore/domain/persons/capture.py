"""Reading captured events as PostHog's capture does (persons spec §1.3): names, distinct ids and the token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import msgspec

from flagcore.domain.errors import InvalidInputError, UnauthenticatedError

#: Capture trims distinct ids to this many characters.
CAPTURE_DISTINCT_ID_LENGTH: Final = 200
_MAX_TOKEN_LENGTH: Final = 64
_DROPPED: Final = frozenset({"$performance_event"})


class CapturedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One event of a capture request, validated: what ingestion needs of it."""

    event: str
    distinct_id: str
    properties: dict[str, Any]
    set: Any = None
    set_once: Any = None
    timestamp: str | None = None
    uuid: str | None = None


class MissingEventNameError(InvalidInputError):
    def __init__(self) -> None:
        super().__init__("event submitted with an empty event name", code="missing_event_name", attr="event")


class MissingDistinctIdError(InvalidInputError):
    def __init__(self) -> None:
        super().__init__("event submitted without a distinct_id", code="missing_distinct_id", attr="distinct_id")


class CaptureTokenError(UnauthenticatedError):
    code = "invalid_api_key"


def read_events(events: Sequence[dict[str, Any]], batch_token: str | None) -> tuple[str, list[CapturedEvent]]:
    """The request's token and its events (``$performance_event`` dropped, as capture drops it).

    Raises:
        MissingEventNameError, MissingDistinctIdError: an event without a name or a distinct id (400).
        CaptureTokenError: no token, several different tokens, or a token capture refuses (401).
    """
    token = batch_token or _single_token(events)
    token = validate_token(token)
    read = [_read(event) for event in events if event.get("event") not in _DROPPED]
    return token, read


def validate_token(token: str | None) -> str:
    """A token as capture accepts it (trimmed, 1-64 ASCII characters, no NUL, not a personal API key).

    Raises:
        CaptureTokenError: missing or refused.
    """
    if token is None:
        raise CaptureTokenError("event submitted without an api_key")
    trimmed = token.strip()
    problem = (
        "empty"
        if not trimmed
        else "too_long"
        if len(trimmed) > _MAX_TOKEN_LENGTH
        else "not_ascii"
        if not trimmed.isascii()
        else "null_byte"
        if "\x00" in trimmed
        else "personal_api_key"
        if trimmed.startswith("phx_")
        else None
    )
    if problem is not None:
        raise CaptureTokenError(f"API key is not valid: {problem}")
    return trimmed


def _single_token(events: Sequence[dict[str, Any]]) -> str | None:
    tokens = {t for t in (_event_token(e) for e in events) if t is not None}
    if len(tokens) > 1:
        raise CaptureTokenError("batch submitted with inconsistent api_key values")
    return next(iter(tokens), None)


def _event_token(event: dict[str, Any]) -> str | None:
    for key in ("token", "$token", "api_key"):
        value = event.get(key)
        if isinstance(value, str):
            return value
    properties = event.get("properties")
    value = properties.get("token") if isinstance(properties, dict) else None
    return value if isinstance(value, str) else None


def _read(event: dict[str, Any]) -> CapturedEvent:
    name = event.get("event")
    if not isinstance(name, str) or not name:
        raise MissingEventNameError
    raw_properties = event.get("properties")
    properties = dict(raw_properties) if isinstance(raw_properties, dict) else {}
    distinct_id = _distinct_id(event, properties)
    if distinct_id is None:
        raise MissingDistinctIdError
    timestamp, uuid = event.get("timestamp"), event.get("uuid")
    return CapturedEvent(
        event=name,
        distinct_id=distinct_id,
        properties=properties,
        set=event.get("$set"),
        set_once=event.get("$set_once"),
        timestamp=timestamp if isinstance(timestamp, str) else None,
        uuid=uuid if isinstance(uuid, str) and uuid else None,
    )


def _distinct_id(event: dict[str, Any], properties: dict[str, Any]) -> str | None:
    for value in (event.get("distinct_id"), event.get("$distinct_id"), properties.get("distinct_id")):
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else msgspec.json.encode(value).decode()
        return text[:CAPTURE_DISTINCT_ID_LENGTH]
    return None
