"""Per-tier counters and failure handling for the tiered snapshot cache: what ``/_health`` and metrics report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

logger = logging.getLogger("flagcore.snapshots.tiers")
DEFAULT_COOLDOWN_S: Final = 1.0
DEFAULT_WARN_EVERY_S: Final = 10.0


class TierHealth:
    """One tier's counters, its failure cool-down and its rate-limited warnings.

    After a failure the tier is skipped on reads for ``cooldown_s``, so a hung backend costs one timeout per
    cool-down instead of one per request; writes and invalidations still try it.
    """

    def __init__(
        self,
        name: str,
        *,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        warn_every_s: float = DEFAULT_WARN_EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._cooldown_s = cooldown_s
        self._warn_every_s = warn_every_s
        self._monotonic = monotonic
        self.hits = 0
        self.misses = 0
        self.failures = 0
        self.skipped = 0
        self.refills = 0
        self.refused = 0
        self._down_until = float("-inf")
        self._last_warning = float("-inf")
        self._unreported = 0
        #: Projects whose invalidation failed on this tier; retried before the tier is used again.
        self.pending: set[int] = set()

    def available(self) -> bool:
        if self._monotonic() < self._down_until:
            self.skipped += 1
            return False
        return True

    def failed(self, operation: str, exc: BaseException) -> None:
        self.failures += 1
        self._unreported += 1
        now = self._monotonic()
        self._down_until = now + self._cooldown_s
        if now - self._last_warning >= self._warn_every_s:
            cause = exc.__cause__ or exc
            logger.warning(
                "snapshot tier %s failed (%s; %d failure(s) since the last warning): %r",
                self.name,
                operation,
                self._unreported,
                cause,
            )
            self._last_warning = now
            self._unreported = 0

    def stats(self) -> dict[str, int]:
        return {
            "hits": self.hits,
            "misses": self.misses,
            "failures": self.failures,
            "skipped": self.skipped,
            "refills": self.refills,
            "refused": self.refused,
            "pending_invalidations": len(self.pending),
        }
