"""From a capture request to its events (persons spec §1.2, §1.3), with every size bounded.

Steps, as PostHog's capture takes them: the raw bytes (query ``data`` or the body), a whole-body base64 unwrap, form
bodies (``data`` and ``compression`` fields), the compression hint (form, query, then ``Content-Encoding``), gzip
(by hint or magic number) or lz64 or plain UTF-8, a second base64 unwrap on the legacy paths, then the JSON shapes:
an array of events, a batch object, one event, or (on ``/engage``) an engage object. The decoded size is capped at
the route's limit: a decompression bomb is a 413, never a memory blow-up.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl

import msgspec
from litestar.exceptions import HTTPException

from flagcore.app.http.capture.lz64 import Lz64Error, decompress_from_base64
from flagcore.app.http.gzip_members import GzipDecodeError, GzipTooLargeError, inflate_members
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.json_limits import exceeds_json_depth, too_deep_message

_GZIP_MAGIC: Final = b"\x1f\x8b\x08"
_BASE64: Final = re.compile(rb"^[A-Za-z0-9+/]+={0,2}$")
_FORM: Final = "application/x-www-form-urlencoded"
_LEGACY_PREFIXES: Final = ("/e", "/capture", "/engage", "/track")


class CaptureBadRequestError(InvalidInputError):
    """The request cannot be read (PostHog's 400 family); ``detail`` is capture's own wording."""

    code = "invalid_payload"


class CaptureTooLargeError(HTTPException):
    """The decoded payload is over the route's limit (413, as capture's ``EventTooBig``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status_code=413, detail=f"maximum event size exceeded: the decoded payload is over {limit} bytes"
        )


class CapturePayload(msgspec.Struct, frozen=True, kw_only=True):
    """The events of one request and the batch-level token and ``sent_at``, if any."""

    events: list[dict[str, Any]]
    token: str | None = None
    sent_at: str | None = None


def decode_capture(
    body: bytes, *, query: Mapping[str, str], headers: Mapping[str, str], path: str, limit: int
) -> CapturePayload:
    """The events a capture request carries.

    Raises:
        CaptureBadRequestError: nothing to read, undecodable bytes or JSON, or an unsupported shape (400).
        CaptureTooLargeError: the payload decodes to more than ``limit`` bytes (413).
    """
    raw, form_compression = _raw_bytes(body, query, headers.get("content-type") or "")
    hint = (form_compression or query.get("compression") or headers.get("content-encoding") or "").lower()
    text = _decompress(raw, hint, limit)
    if path.startswith(_LEGACY_PREFIXES) and _BASE64.fullmatch(text.strip().encode("utf-8", "replace")):
        text = _b64(text.strip()) or text
    if len(text) > limit:
        raise CaptureTooLargeError(limit)
    return _shape(_json(text), engage=path.startswith("/engage"))


def _raw_bytes(body: bytes, query: Mapping[str, str], content_type: str) -> tuple[bytes, str | None]:
    data = query.get("data")
    raw = data.encode() if data else body
    if not raw:
        raise CaptureBadRequestError("request missing data payload")
    if content_type.split(";", 1)[0].strip().lower() == _FORM and not data:
        fields = dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
        if "data" not in fields:
            raise CaptureBadRequestError("expected form data in POST request payload")
        value = fields["data"].encode("latin-1")
        if _BASE64.fullmatch(value.replace(b" ", b"+")):
            value = value.replace(b" ", b"+")
        return value, fields.get("compression")
    if _BASE64.fullmatch(raw.strip()) and not raw.startswith(_GZIP_MAGIC):
        raw = _b64_bytes(raw.strip()) or raw
    return raw, None


def _decompress(raw: bytes, hint: str, limit: int) -> str:
    if hint in {"gzip", "gzip-js"} or raw.startswith(_GZIP_MAGIC):
        try:
            raw = inflate_members(raw, limit=limit)
        except GzipTooLargeError:
            raise CaptureTooLargeError(limit) from None
        except GzipDecodeError:
            raise CaptureBadRequestError("failed to decode request: invalid GZIP data") from None
    elif hint in {"lz64", "lz-string"}:
        try:
            return decompress_from_base64(raw.decode("latin-1"), limit=limit)
        except Lz64Error as exc:
            if "limit" in str(exc):
                raise CaptureTooLargeError(limit) from None
            raise CaptureBadRequestError(f"failed to decode request: {exc}") from None
    elif hint in {"base64", "b64"}:
        raw = _b64_bytes(raw.strip()) or raw
    if len(raw) > limit:
        raise CaptureTooLargeError(limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CaptureBadRequestError("failed to decode request: invalid UTF8 in request payload") from None


def _b64_bytes(data: bytes) -> bytes | None:
    try:
        return base64.b64decode(data + b"=" * (-len(data) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _b64(text: str) -> str | None:
    decoded = _b64_bytes(text.encode("ascii", "ignore"))
    if decoded is None:
        return None
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _json(text: str) -> Any:  # noqa: ANN401 - JSON
    encoded = text.encode()
    if exceeds_json_depth(encoded):
        raise CaptureBadRequestError(f"failed to parse request: {too_deep_message()}")
    try:
        return msgspec.json.decode(encoded)
    except msgspec.DecodeError as exc:
        raise CaptureBadRequestError(f"failed to parse request: {exc}") from None


def _shape(document: Any, *, engage: bool) -> CapturePayload:  # noqa: ANN401 - JSON
    if isinstance(document, list):
        return CapturePayload(events=[_event(e, engage=engage) for e in document])
    if not isinstance(document, dict):
        raise CaptureBadRequestError("failed to parse request: expected an event, a batch or a list of events")
    if "batch" in document:
        batch = document["batch"]
        if not isinstance(batch, list):
            raise CaptureBadRequestError("failed to parse request: batch must be a list")
        token = document.get("api_key") or document.get("token")
        sent_at = document.get("sent_at") or document.get("sentAt")
        return CapturePayload(
            events=[_event(e, engage=engage) for e in batch],
            token=token if isinstance(token, str) else None,
            sent_at=sent_at if isinstance(sent_at, str) else None,
        )
    return CapturePayload(events=[_event(document, engage=engage)])


def _event(value: Any, *, engage: bool) -> dict[str, Any]:  # noqa: ANN401 - JSON
    if not isinstance(value, dict):
        raise CaptureBadRequestError("failed to parse request: an event must be an object")
    if "event" not in value:
        if not engage:
            raise CaptureBadRequestError(
                "failed to hydrate events from request: non-engage request missing event name attribute"
            )
        return {**value, "event": "$identify"}
    return value
