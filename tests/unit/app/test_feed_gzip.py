"""The feed's kept gzip bodies: compressed once per ETag, robust to the first requester going away."""

from __future__ import annotations

import asyncio
import gzip
import os

import pytest

from flagcore.app.http.evaluation import feed_gzip
from flagcore.app.http.evaluation.feed_gzip import GzipFeeds


async def test_compressed_once_per_etag_and_shared() -> None:
    feeds, plain = GzipFeeds(), b'{"flags": []}' * 100
    first, second = await asyncio.gather(feeds.body("a", plain), feeds.body("a", plain))
    assert first is second
    assert gzip.decompress(first) == plain


async def test_a_cancelled_first_request_does_not_fail_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found in review: the first requester's cancellation used to be raised into every waiter."""
    monkeypatch.setattr(feed_gzip, "_THREAD_ABOVE", 0)  # compress in a thread, so the first request really waits
    feeds, plain = GzipFeeds(), os.urandom(200_000)
    first = asyncio.create_task(feeds.body("big", plain))
    await asyncio.sleep(0)
    second = asyncio.create_task(feeds.body("big", plain))
    await asyncio.sleep(0)
    first.cancel()
    assert gzip.decompress(await second) == plain
    with pytest.raises(asyncio.CancelledError):
        await first
    assert gzip.decompress(await feeds.body("big", plain)) == plain  # kept for the next request


async def test_a_failed_compression_is_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = GzipFeeds()
    calls = 0
    real = gzip.compress

    def flaky(data: bytes, level: int, *, mtime: int) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise MemoryError
        return real(data, level, mtime=mtime)

    monkeypatch.setattr(feed_gzip.gzip, "compress", flaky)
    with pytest.raises(MemoryError):
        await feeds.body("e", b"x" * 10)
    assert gzip.decompress(await feeds.body("e", b"x" * 10)) == b"x" * 10
