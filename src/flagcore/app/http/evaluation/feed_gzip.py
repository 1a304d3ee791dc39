"""The definitions feed gzip-compressed once per snapshot, for clients that accept gzip.

Server SDKs poll the feed and its 200 moves the whole document (about 0.6 MB for 1,000 flags); gzip shrinks that
about tenfold. Compressing per request would cost more CPU than it saves, so each worker keeps the compressed
bytes by ETag (the tag changes exactly with the bytes), a few snapshots at most: the first gzip request after a
change compresses (in a thread, off the event loop, when the document is large; concurrent requests share it),
every later one sends the kept bytes. Which clients ask: posthog-python (``requests``: ``gzip, deflate``),
posthog-go (Go's transport adds ``gzip`` itself), posthog-ruby (``Net::HTTP``: ``gzip;q=1.0,...``) and posthog-node
(``fetch``: ``gzip, deflate``, per those libraries' defaults); a client that sends no ``Accept-Encoding`` gets the
plain bytes, as before.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
from collections import OrderedDict
from typing import Final

#: Snapshots kept compressed per worker (projects polled at once, times cohort/no-cohort variants).
_KEEP: Final = 64
#: Documents above this are compressed in a thread (about a millisecond per 50 KB at level 6 here).
_THREAD_ABOVE: Final = 64 * 1024
_LEVEL: Final = 6


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip`` or ``*``, not with ``q=0``)."""
    if not accept_encoding:
        return False
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.partition(";")
        if coding.strip() in {"gzip", "x-gzip", "*"}:
            quality = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


class GzipFeeds:
    """Compressed feed bodies by ETag, least recently used dropped first.

    The compression of a snapshot runs as a task of its own, which every request for that ETag awaits through
    ``asyncio.shield``: a client that goes away while it runs (its request cancelled) neither cancels it nor fails
    the requests waiting for the same bytes, and the result is kept for the next ones. A compression that fails is
    forgotten, so the next request tries again.
    """

    def __init__(self) -> None:
        self._kept: OrderedDict[str, asyncio.Task[bytes]] = OrderedDict()

    async def body(self, etag: str, plain: bytes) -> bytes:
        """``plain`` gzip-compressed, compressed once per ``etag``."""
        kept = self._kept.get(etag)
        if kept is None:
            kept = self._kept[etag] = asyncio.get_running_loop().create_task(_compress(plain), name="feed-gzip")
            kept.add_done_callback(functools.partial(self._forget_failed, etag))
            while len(self._kept) > _KEEP:
                self._kept.popitem(last=False)
        else:
            self._kept.move_to_end(etag)
        return await asyncio.shield(kept)

    def _forget_failed(self, etag: str, task: asyncio.Task[bytes]) -> None:
        if (task.cancelled() or task.exception() is not None) and self._kept.get(etag) is task:
            del self._kept[etag]


async def _compress(plain: bytes) -> bytes:
    if len(plain) > _THREAD_ABOVE:
        return await asyncio.to_thread(gzip.compress, plain, _LEVEL, mtime=0)
    return gzip.compress(plain, _LEVEL, mtime=0)
