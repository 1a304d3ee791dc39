"""Decoding ``/flags`` and ``/decide`` requests as PostHog's flag service reads them (evaluation spec §9).

Bodies come as JSON, gzip-compressed JSON (``Content-Encoding: gzip``, ``?compression=gzip``/``gzip-js``, or just
the gzip magic bytes), base64 JSON, or the legacy form ``data=<base64 or url-encoded JSON>``. This runs before the
token is known, so every step is linear in the body and bounded (docs/limits.md): the body and its decompressed
form are at most ``MAX_BODY_BYTES``, gzip has at most ``MAX_GZIP_MEMBERS`` members, and JSON nests at most
``MAX_JSON_DEPTH`` levels, checked on the raw text before decoding it. Errors:

- undecodable body, or JSON nested too deeply: 400 ``invalid_request`` / ``parse_error`` (the server's "Failed to
  decode request");
- decompressed body over the limit: 413 ``invalid_request`` / ``request_too_large``;
- a known field of the wrong JSON type: 400 ``validation_error`` / ``invalid_input`` naming the field in ``attr``
  (the server refuses such a body as a whole too; the field name is our addition).

``timezone`` and ``cookieless_hash_extra`` only feed the server's cookieless mode, and ``geoip_disable`` and
``ip_address`` its GeoIP enrichment; flagcore has neither, so they are accepted and ignored.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, unquote_plus, unquote_to_bytes

import msgspec
from litestar.exceptions import HTTPException
from litestar.types import Receive

from flagcore.app.evaluation.evaluate_flags import EvaluateFlagsCommand
from flagcore.app.http.gzip_members import GzipDecodeError, GzipTooLargeError, inflate_members
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.evaluation import normalize_identifier
from flagcore.domain.json_limits import exceeds_json_depth, too_deep_message

#: Largest body accepted, before and after decompression.
MAX_BODY_BYTES: Final = 1024 * 1024
_GZIP_MAGIC: Final = b"\x1f\x8b"
_GZIP: Final = frozenset({"gzip", "gzip-js"})
_COMPRESSIONS: Final = frozenset({"gzip", "gzip-js", "base64"})
_JSON_TYPES: Final = frozenset({"application/json", "text/plain"})
_FORM_TYPE: Final = "application/x-www-form-urlencoded"
_TOKEN_FIELDS: Final = ("token", "api_key", "$token")
_TRUE: Final = frozenset({"true", "1", "yes", "on"})
_ENTITY_TOO_LARGE: Final = "Request Entity Too Large"


def decode_error(reason: str) -> HTTPException:
    """A 400 for a body that cannot be read at all, in the server's words."""
    detail = f"Failed to decode request: {reason}. Please check your request format and try again."
    return HTTPException(status_code=400, detail=detail)


def too_large_error() -> HTTPException:
    return HTTPException(status_code=413, detail=f"Decompressed request body exceeded {MAX_BODY_BYTES} bytes.")


async def read_body(receive: Receive, content_length: str | None) -> bytes:
    """The raw request body, read from ASGI messages with Litestar's body limit rules.

    Raises:
        HTTPException: 413 when ``Content-Length`` announces more than ``MAX_BODY_BYTES`` or more arrives, 400 for a
            ``Content-Length`` that is not a number, 500 when the client disconnects mid-body.
    """
    if content_length is not None:
        try:
            announced = int(content_length)
        except ValueError:
            raise HTTPException(status_code=400, detail=f"Invalid content-length: {content_length!r}") from None
        if announced > MAX_BODY_BYTES:
            raise HTTPException(status_code=413, detail=_ENTITY_TOO_LARGE)
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away (http.disconnect)
            raise HTTPException(status_code=500, detail="client disconnected prematurely")
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > MAX_BODY_BYTES:
            raise HTTPException(status_code=413, detail=_ENTITY_TOO_LARGE)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_query(query_string: bytes) -> dict[str, str]:
    """Query parameters as Litestar parses them, the first of repeated names winning (as ``MultiDict.get`` does)."""
    query: dict[str, str] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, separator="&"):
        query.setdefault(name, value)
    return query


def decode_body(
    body: bytes, *, content_type: str | None, content_encoding: str | None, compression: str | None
) -> dict[str, Any]:
    """The JSON object a ``/flags`` POST body carries.

    Args:
        body: the raw body.
        content_type: the ``Content-Type`` header (JSON when absent).
        content_encoding: the ``Content-Encoding`` header.
        compression: the ``compression`` query parameter (``gzip``, ``gzip-js``, ``base64``), lower-cased.

    Raises:
        HTTPException: 400 when the body cannot be decoded (or its JSON nests deeper than ``MAX_JSON_DEPTH``), 413
            when it inflates beyond ``MAX_BODY_BYTES``.
    """
    if compression and compression not in _COMPRESSIONS:
        raise decode_error("Unsupported compression type")
    media_type = (content_type or "").split(";", 1)[0].strip().lower() or "application/json"
    if media_type == _FORM_TYPE:
        if compression in _GZIP:
            raise decode_error("Gzip compression not supported for form-urlencoded data")
        return _decode_form(body)
    if media_type not in _JSON_TYPES:
        raise decode_error(f"unsupported content type: {media_type}")
    if compression in _GZIP or "gzip" in (content_encoding or "").lower() or body.startswith(_GZIP_MAGIC):
        body = gunzip(body)
    return _json_or_base64(body)


def gunzip(data: bytes, limit: int = MAX_BODY_BYTES) -> bytes:
    """Decompress every gzip member of ``data`` (at most ``MAX_GZIP_MEMBERS``), refusing more than ``limit`` bytes."""
    try:
        return inflate_members(data, limit=limit)
    except GzipTooLargeError:
        raise too_large_error() from None
    except GzipDecodeError as exc:
        raise decode_error(f"gzip decompression failed: {exc}") from None


def _json_or_base64(data: bytes) -> dict[str, Any]:
    # The server tries JSON first and then base64-encoded JSON, whatever the compression parameter says.
    payload = _json_object(data)
    if payload is None:
        decoded = _base64(data)
        payload = _json_object(decoded) if decoded is not None else None
    if payload is None:
        raise decode_error("invalid JSON")
    return payload


def _decode_form(body: bytes) -> dict[str, Any]:
    raw = next((part[5:] for part in body.split(b"&") if part.startswith(b"data=")), body)
    if unquote_to_bytes(raw).lstrip().startswith(b"{"):
        # URL-encoded JSON: '+' is a space, as in any form value.
        payload = _json_object(unquote_plus(raw.decode("utf-8", "replace")).encode())
    else:
        # Base64: '+' is part of the alphabet, so only %-escapes are decoded.
        decoded = _base64(raw)
        payload = _json_object(decoded) if decoded is not None else None
    if payload is None:
        raise decode_error("invalid form data")
    return payload


def _json_object(data: bytes) -> dict[str, Any] | None:
    if exceeds_json_depth(data):
        raise decode_error(too_deep_message().removesuffix("."))
    try:
        value = msgspec.json.decode(data)
    except UnicodeDecodeError:
        # Some mobile SDKs send invalid UTF-8; the server reads it lossily rather than refusing the request.
        return _json_object(data.decode("utf-8", "replace").encode())
    except msgspec.DecodeError:
        return None
    return value if isinstance(value, dict) else None


def _base64(data: bytes) -> bytes | None:
    text = unquote_to_bytes(data).translate(None, b" \t\r\n").translate(bytes.maketrans(b"-_", b"+/"))
    text += b"=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def query_payload(query: Mapping[str, str]) -> dict[str, Any]:
    """A GET request's query string as a request body: object fields are JSON text, lists JSON or comma-separated.

    Raises:
        InvalidInputError: a JSON field nests deeper than ``MAX_JSON_DEPTH`` (``attr`` names it).
    """
    payload: dict[str, Any] = dict(query)
    for name in _OBJECT_FIELDS + _LIST_FIELDS:
        if name in payload:
            payload[name] = _query_value(query[name], name, as_list=name in _LIST_FIELDS)
    if "disable_flags" in payload:
        payload["disable_flags"] = query["disable_flags"].lower() in _TRUE
    return payload


def _query_value(text: str, name: str, *, as_list: bool) -> object:
    if as_list and not text.startswith("["):
        # A plain comma-separated list is the natural way to write one in a URL.
        return [item for item in text.split(",") if item]
    if exceeds_json_depth(text):
        raise InvalidInputError(too_deep_message(), code="invalid_input", attr=name)
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError:
        # Left as text, so that the field check names the field at fault.
        return text


def token_of(payload: Mapping[str, Any], query: Mapping[str, str]) -> object:
    """The project API key: the first non-empty of ``token``, ``api_key``, ``$token`` in the body, then the query."""
    for source in (payload, query):
        for name in _TOKEN_FIELDS:
            value = source.get(name)
            if value:
                return value
    return None


_OBJECT_FIELDS: Final = (
    "person_properties",
    "$properties",
    "groups",
    "$groups",
    "group_properties",
    "$group_properties",
)
_LIST_FIELDS: Final = ("flag_keys", "flag_keys_to_evaluate", "evaluation_contexts", "evaluation_environments")


def build_command(
    payload: Mapping[str, Any], query: Mapping[str, str], *, user_agent: str | None, headers: Mapping[str, str]
) -> EvaluateFlagsCommand:
    """The use-case command for a decoded body.

    Raises:
        InvalidInputError: a known field has the wrong JSON type (``attr`` names it).
    """
    person_properties = _object(payload, "person_properties", "$properties")
    return EvaluateFlagsCommand(
        token=_text(token_of(payload, query), "token"),
        distinct_id=_identifier(payload, "distinct_id", "$distinct_id"),
        anon_distinct_id=_identifier(payload, "$anon_distinct_id", "anon_distinct_id"),
        device_id=_device_id(payload, person_properties),
        person_properties=person_properties,
        groups=_object(payload, "groups", "$groups"),
        group_properties=_group_properties(payload),
        flag_keys=_texts(payload, "flag_keys", "flag_keys_to_evaluate"),
        evaluation_contexts=_texts(payload, "evaluation_contexts", "evaluation_environments"),
        evaluation_runtime=_text(_field(payload, "evaluation_runtime"), "evaluation_runtime"),
        disable_flags=_flag(payload, "disable_flags"),
        only_override_person_properties=(query.get("only_use_override_person_properties") or "").lower() in _TRUE,
        user_agent=user_agent,
        headers=headers,
    )


def _field(payload: Mapping[str, Any], *names: str) -> object:
    # Aliases: the first one present with a non-null value wins.
    for name in names:
        value = payload.get(name)
        if value is not None:
            return value
    return None


def _invalid(name: str, expected: str) -> InvalidInputError:
    return InvalidInputError(f"Expected {expected}.", code="invalid_input", attr=name)


def _text(value: object, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _invalid(name, "a string")


def _identifier(payload: Mapping[str, Any], *names: str) -> str | None:
    value = _field(payload, *names)
    if value is None:
        return None
    identifier = normalize_identifier(value)
    if identifier is None:
        raise _invalid(names[0], "a string or a number")
    return identifier


def _object(payload: Mapping[str, Any], *names: str) -> dict[str, Any]:
    value = _field(payload, *names)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise _invalid(names[0], "an object")


def _group_properties(payload: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    value = _object(payload, "group_properties", "$group_properties")
    if all(isinstance(properties, dict) for properties in value.values()):
        return value
    raise _invalid("group_properties", "an object of objects")


def _texts(payload: Mapping[str, Any], *names: str) -> list[str] | None:
    value = _field(payload, *names)
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise _invalid(names[0], "a list of strings")


def _flag(payload: Mapping[str, Any], name: str) -> bool:
    value = payload.get(name)
    if value is None or isinstance(value, bool):
        return value is True
    raise _invalid(name, "a boolean")


def _device_id(payload: Mapping[str, Any], person_properties: Mapping[str, Any]) -> str | None:
    value = _text(_field(payload, "$device_id", "device_id"), "device_id")
    if value:
        return value
    # SDKs that only send it as a person property (the server falls back to it).
    fallback = person_properties.get("$device_id")
    return fallback if isinstance(fallback, str) and fallback else None
