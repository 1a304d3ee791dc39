"""The last value a store answered per key, served when the store is unavailable (stale-if-error).

Authentication reads a handful of identity rows on every SDK request. When the database goes down, refusing
every request would stop flag evaluation although the snapshots it needs are still in Redis or S3; answering from
the last value this process read keeps it serving. Only what the store itself answered is kept: a key the store
said does not exist (a revoked credential) is forgotten, so an outage never brings it back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Final, Generic, TypeVar

from flagcore.ports.errors import BackendUnavailableError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
logger = logging.getLogger("flagcore.cached")
#: Bounded per table; only found rows are kept, so random credentials cannot fill it. The oldest go first.
MAX_KNOWN: Final = 10_000
_WARN_EVERY_S: Final = 10.0


class StaleServed:
    """Counts and logs (at most once per ``warn_every_s``) answers served from the last known value."""

    def __init__(
        self, what: str, *, warn_every_s: float = _WARN_EVERY_S, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._what = what
        self._warn_every_s = warn_every_s
        self._monotonic = monotonic
        self._last_warning = float("-inf")
        self._unreported = 0
        self.count = 0

    def record(self, exc: BackendUnavailableError) -> None:
        self.count += 1
        self._unreported += 1
        now = self._monotonic()
        if now - self._last_warning >= self._warn_every_s:
            logger.warning(
                "%s store unavailable; served %d lookup(s) from the last known values: %r",
                self._what,
                self._unreported,
                exc.__cause__ or exc,
            )
            self._last_warning = now
            self._unreported = 0


class LastKnown(Generic[K, V]):
    """A bounded table of the last value the store returned per key."""

    def __init__(self, stale: StaleServed, *, max_entries: int = MAX_KNOWN) -> None:
        self._stale = stale
        self._max_entries = max_entries
        self._values: dict[K, V] = {}

    async def load(self, key: K, fetch: Callable[[], Awaitable[V | None]]) -> V | None:
        """``fetch()``, remembered; when it raises ``BackendUnavailableError``, the last value it gave for ``key``.

        Raises:
            BackendUnavailableError: the store is unavailable and never answered for ``key`` in this process.
        """
        try:
            value = await fetch()
        except BackendUnavailableError as exc:
            known = self._values.get(key)
            if known is None:
                raise
            self._stale.record(exc)
            return known
        self.remember(key, value)
        return value

    def remember(self, key: K, value: V | None) -> None:
        """Record what the store answered for ``key`` (None: it has no such row any more)."""
        self._values.pop(key, None)  # re-inserted last: the table drops its oldest entries first
        if value is None:
            return
        if len(self._values) >= self._max_entries:
            del self._values[next(iter(self._values))]
        self._values[key] = value

    def forget_where(self, stale: Callable[[V], bool]) -> None:
        """Drop every remembered value for which ``stale`` is true."""
        for key in [k for k, v in self._values.items() if stale(v)]:
            del self._values[key]

    def get(self, key: K) -> V | None:
        return self._values.get(key)

    def __len__(self) -> int:
        return len(self._values)
