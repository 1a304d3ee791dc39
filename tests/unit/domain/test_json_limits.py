"""The JSON nesting check (issue 17): exact on valid JSON, blind to brackets inside strings, and linear."""

from __future__ import annotations

import time

import msgspec
import pytest

from flagcore.domain.evaluation.definitions import parse_definitions
from flagcore.domain.json_limits import MAX_DOCUMENT_JSON_DEPTH, MAX_JSON_DEPTH, exceeds_json_depth


def depth_of(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(item) for item in value.values()), default=0)
    return 0


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "[]",
        "1",
        '"[[[["',
        '{"a": [1, {"b": [[]]}], "c": "]]]{{{"}',
        '["\\"[[[", "\\\\", [["x"]]]',
        "[" * 7 + "]" * 7,
        '[{"a":' * 5 + "0" + "}]" * 5,
    ],
)
@pytest.mark.parametrize("limit", [0, 1, 3, 6, 7, 10, 11])
def test_the_check_agrees_with_the_decoded_depth(text: str, limit: int) -> None:
    expected = depth_of(msgspec.json.decode(text)) > limit
    assert exceeds_json_depth(text, limit) is expected
    assert exceeds_json_depth(text.encode(), limit) is expected


def test_brackets_inside_strings_do_not_count() -> None:
    text = '["' + "[" * 10_000 + '", "\\"' + "{" * 10_000 + '"]'
    assert exceeds_json_depth(text) is False


def test_one_level_over_the_default_limit_is_caught() -> None:
    assert exceeds_json_depth("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is False
    assert exceeds_json_depth("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)) is True


@pytest.mark.parametrize(
    "body",
    [
        b"[" + b"[]," * 349_000 + b"[]]",  # wide: every opener closes at once
        b"[" * 524_288 + b"]" * 524_288,  # deep: stops at the limit
        b'["' + b"[{" * 500_000 + b'"]',  # one huge string of brackets
    ],
    ids=["wide", "deep", "string"],
)
def test_a_megabyte_is_checked_quickly(body: bytes) -> None:
    started = time.perf_counter()
    exceeds_json_depth(body)
    # About 30 ms for the worst of these on a loaded 2-core box; the bound only catches quadratic work.
    assert time.perf_counter() - started < 0.5


def test_definitions_nested_past_the_document_cap_are_not_json() -> None:
    """Guards stored/imported definitions documents: a RecursionError before, a DecodeError now."""
    deep = "[" * (MAX_DOCUMENT_JSON_DEPTH + 1) + "]" * (MAX_DOCUMENT_JSON_DEPTH + 1)
    with pytest.raises(msgspec.DecodeError, match="nested deeper"):
        parse_definitions('{"flags": [], "junk": ' + deep + "}")
    legacy = "[" * (MAX_JSON_DEPTH + 50) + "]" * (MAX_JSON_DEPTH + 50)  # deeper than clients may send now
    assert parse_definitions('{"flags": [], "junk": ' + legacy + "}").flags == ()
