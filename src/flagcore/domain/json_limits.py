"""How deeply JSON may nest, checked on the raw text before it is decoded (docs/limits.md).

Decoders (msgspec, ``json``) recurse once per nesting level and fail with ``RecursionError`` somewhere below Python's
recursion limit, which depends on how deep the caller's stack already is. Checking the depth first turns that into
an ordinary, documented refusal at a fixed level, and keeps every later recursive walk (validation, encoding,
matching) far from the limit.
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

#: Deepest nesting of arrays and objects accepted in request JSON (bodies, JSON query parameters, payload strings).
#: PostHog's flag service parses with serde_json, which refuses more than 128 levels; real bodies use a handful.
MAX_JSON_DEPTH: Final = 100
#: Deepest nesting of documents that do not come from an API client: snapshots flagcore stored itself, definitions
#: files, the remote evaluator's answers. Higher than ``MAX_JSON_DEPTH`` so that flags written before that cap
#: existed still load, and low enough that decoding never comes near Python's recursion limit.
MAX_DOCUMENT_JSON_DEPTH: Final = 400

# A JSON string, escapes included (the unrolled-loop form, linear in its length).
_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS: Final = bytes(byte for byte in range(256) if byte not in b"[]{}")
_OPENERS: Final = frozenset(b"[{")


def exceeds_json_depth(text: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays and objects more than ``limit`` levels deep (brackets in strings do not count).

    Linear in the length of ``text``, and nearly free for text with at most ``limit`` opening brackets. Exact for
    valid JSON; for invalid JSON the answer does not matter, the decoder refuses it anyway.
    """
    data = text.encode() if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # fewer openers than the limit: no way to nest deeper
    if b'"' in data:
        data = _STRING.sub(b"", data)
    brackets = data.translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def check_document_depth(text: bytes | str, limit: int = MAX_DOCUMENT_JSON_DEPTH) -> None:
    """Refuse ``text`` nested deeper than ``limit`` the way a decoder refuses bad JSON, before decoding it.

    Raises:
        msgspec.DecodeError: the nesting is too deep (callers already handle it as "not JSON").
    """
    if exceeds_json_depth(text, limit):
        raise msgspec.DecodeError(too_deep_message(limit))


def too_deep_message(limit: int = MAX_JSON_DEPTH) -> str:
    """The sentence every refusal of over-deep JSON uses."""
    return f"JSON nested deeper than {limit} levels."
