"""Gzip bodies on the pre-authentication path (issue 17): linear work, bounded members and output.

Before: every member end copied the rest of the body, so 52,428 empty members (1 MB) took over a second of CPU.
"""

from __future__ import annotations

import gzip
import os
import time

import pytest
from litestar.exceptions import HTTPException

from flagcore.app.http.evaluation.flags_request import MAX_BODY_BYTES, decode_body, gunzip
from flagcore.app.http.gzip_members import MAX_GZIP_MEMBERS, GzipDecodeError, GzipTooLargeError, inflate_members

EMPTY_MEMBER = gzip.compress(b"", mtime=0)


def test_a_megabyte_of_empty_members_is_refused_at_once() -> None:
    """Guards the quadratic member loop: the issue's 1 MB body must be refused (or read) in well under 20 ms."""
    body = EMPTY_MEMBER * 52_428
    assert len(body) <= MAX_BODY_BYTES
    started = time.perf_counter()
    with pytest.raises(HTTPException) as info:
        decode_body(body, content_type="application/json", content_encoding="gzip", compression=None)
    elapsed = time.perf_counter() - started
    assert info.value.status_code == 400
    assert f"more than {MAX_GZIP_MEMBERS} gzip members" in info.value.detail
    assert elapsed < 0.2  # measured: well under 1 ms; generous for a loaded CI box


def test_up_to_the_member_limit_is_read_whole() -> None:
    parts = [f'"{i}",'.encode() for i in range(MAX_GZIP_MEMBERS - 2)]
    body = b"".join(gzip.compress(part, mtime=0) for part in [b"[", *parts]) + gzip.compress(b"0]", mtime=0)
    assert body.count(b"\x1f\x8b\x08") == MAX_GZIP_MEMBERS
    assert gunzip(body) == b"[" + b"".join(parts) + b"0]"


def test_one_member_over_the_limit_is_refused() -> None:
    with pytest.raises(GzipDecodeError, match="more than 3 gzip members"):
        inflate_members(EMPTY_MEMBER * 4, limit=100, max_members=3)
    assert inflate_members(EMPTY_MEMBER * 3, limit=100, max_members=3) == b""


def test_members_larger_than_a_chunk_are_read_across_chunk_boundaries() -> None:
    # Incompressible data keeps each member bigger than the inflater's input chunk.
    first, second = os.urandom(200_000), os.urandom(150_000)
    body = gzip.compress(first) + gzip.compress(second)
    assert inflate_members(body, limit=MAX_BODY_BYTES) == first + second


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(b"{}") + gzip.compress(b"{}")[:-5],
        gzip.compress(b"{}") + b"trailing garbage",
        gzip.compress(os.urandom(100_000))[:-1],
    ],
    ids=["truncated-second-member", "garbage-after-a-member", "truncated-large-member"],
)
def test_broken_members_are_refused(body: bytes) -> None:
    with pytest.raises(GzipDecodeError):
        inflate_members(body, limit=MAX_BODY_BYTES)


def test_output_is_bounded_across_members() -> None:
    body = gzip.compress(b"x" * 600) + gzip.compress(b"y" * 600)
    assert len(inflate_members(body, limit=1200)) == 1200
    with pytest.raises(GzipTooLargeError):
        inflate_members(body, limit=1199)
