"""Decoding request bodies with errors that name the offending field, as DRF's do."""

from __future__ import annotations

from typing import TypeVar

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.json_limits import exceeds_json_depth, too_deep_message

T = TypeVar("T")

_REQUIRED_PREFIX = "Object missing required field `"
_UNKNOWN_PREFIX = "Object contains unknown field `"
_ENUM_PREFIX = "Invalid enum value "


class MalformedBodyError(InvalidInputError):
    """The body is not JSON at all (DRF's ParseError)."""

    code = "parse_error"


def decode_json_body(raw: bytes, schema: type[T]) -> T:
    """Decode ``raw`` into ``schema``.

    Raises:
        MalformedBodyError: not JSON, or nested deeper than ``MAX_JSON_DEPTH`` (400 ``parse_error``).
        InvalidInputError: JSON of the wrong shape, with ``attr`` naming the top-level field at fault.
    """
    if exceeds_json_depth(raw):
        raise MalformedBodyError(f"JSON parse error - {too_deep_message()}")
    if b"\x00" in raw or b"\\u0000" in raw:
        _reject_nul(raw)
    try:
        return msgspec.json.decode(raw or b"{}", type=schema)
    except msgspec.ValidationError as exc:
        raise _field_error(str(exc)) from None
    except msgspec.DecodeError as exc:
        raise MalformedBodyError(f"JSON parse error - {exc}") from None


def _reject_nul(raw: bytes) -> None:
    # PostgreSQL cannot store NUL in text or JSON, and PostHog (DRF) refuses it too; checked only when the bytes
    # could hold one, so ordinary bodies pay one substring search.
    try:
        decoded = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return  # reported as a parse error by the caller
    if _has_nul(decoded):
        raise InvalidInputError("Null characters are not allowed.", code="null_characters_not_allowed")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _field_error(message: str) -> InvalidInputError:
    if message.startswith(_REQUIRED_PREFIX):
        field = message.removeprefix(_REQUIRED_PREFIX).split("`", 1)[0]
        return InvalidInputError("This field is required.", code="required", attr=field)
    if message.startswith(_UNKNOWN_PREFIX):
        field = message.removeprefix(_UNKNOWN_PREFIX).split("`", 1)[0]
        return InvalidInputError(f"Unknown field: {field}.", code="unknown_field", attr=field)
    detail, sep, path = message.partition(" - at `$")
    if not sep:
        return InvalidInputError(message)
    path = path.rstrip("`").lstrip(".")
    attr = path.split(".", 1)[0].split("[", 1)[0] or None
    nested = "." in path or "[" in path
    if detail.startswith(_ENUM_PREFIX) and not nested:
        # DRF's wording for a bad choice field: "\"x\" is not a valid choice."
        value = detail.removeprefix(_ENUM_PREFIX).strip("'")
        return InvalidInputError(f'"{value}" is not a valid choice.', code="invalid_choice", attr=attr)
    return InvalidInputError(f"{path}: {detail}" if nested else detail, attr=attr)
