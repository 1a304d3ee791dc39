"""Inflating a gzip body of one or more members in time linear in its size, with bounded members and output.

A gzip file may be several members back to back. ``zlib.decompressobj`` stops at the end of a member and hands the
rest of its input back as ``unused_data``, a copy: feeding it the whole remaining body costs one copy of the rest
per member, quadratic on a body of many tiny members (a 1 MB body of 52,428 empty members took over a second).
Here the inflater only ever sees ``_CHUNK`` bytes at a time, so each member end copies at most that much, and the
number of members is capped: SDKs send one, concatenating streams gives a few.
"""

from __future__ import annotations

import zlib
from typing import Final

#: Most gzip members accepted in one body (docs/limits.md).
MAX_GZIP_MEMBERS: Final = 16
_GZIP_WBITS: Final = 16 + zlib.MAX_WBITS
_CHUNK: Final = 64 * 1024


class GzipDecodeError(ValueError):
    """The body is not gzip, is truncated, or has more than ``MAX_GZIP_MEMBERS`` members."""


class GzipTooLargeError(ValueError):
    """The body inflates to more than the limit."""


def inflate_members(data: bytes, *, limit: int, max_members: int = MAX_GZIP_MEMBERS) -> bytes:
    """Every member of ``data`` inflated and joined, never producing more than ``limit`` bytes.

    Raises:
        GzipDecodeError: not gzip, truncated, or more members than ``max_members``.
        GzipTooLargeError: the output would exceed ``limit`` (inflating stops there).
    """
    view = memoryview(data)
    out = bytearray()
    position = 0
    members = 0
    while position < len(view):
        members += 1
        if members > max_members:
            msg = f"more than {max_members} gzip members"
            raise GzipDecodeError(msg)
        position = _inflate_member(view, position, out, limit)
    return bytes(out)


def _inflate_member(view: memoryview, position: int, out: bytearray, limit: int) -> int:
    """Inflate the member starting at ``position`` into ``out``; the position just after it."""
    inflater = zlib.decompressobj(_GZIP_WBITS)
    while not inflater.eof:
        if position >= len(view):
            msg = "truncated stream"
            raise GzipDecodeError(msg)
        chunk = view[position : position + _CHUNK]
        try:
            # At most one byte over the limit is produced: enough to know it was exceeded.
            out += inflater.decompress(chunk, limit + 1 - len(out))
        except zlib.error as exc:
            raise GzipDecodeError(str(exc)) from None
        if len(out) > limit:
            raise GzipTooLargeError
        position += len(chunk) - len(inflater.unused_data)
    return position
