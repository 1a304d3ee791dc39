"""Whether each snapshot tier is up, judged from the tiered cache's counters alone (no probe, no side effect)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Final

#: A tier that failed this recently is reported failing (its cool-down after a failure is one second).
FAILING_FOR_S: Final = 10.0


class TierWatch:
    """Remembers each tier's failure count between calls; a tier whose count rose recently is failing.

    The first call takes the counts as they are (failures before it are history), except that a tier still owing
    invalidations is failing whatever its counts: it has not answered since.
    """

    def __init__(
        self, *, failing_for_s: float = FAILING_FOR_S, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._failing_for_s = failing_for_s
        self._monotonic = monotonic
        self._failures: dict[str, int] = {}
        self._failed_at: dict[str, float] = {}

    def states(self, stats: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
        """``"up"`` or ``"failing"`` per tier of ``stats`` (``TieredSnapshotCache.stats()``)."""
        now = self._monotonic()
        states: dict[str, str] = {}
        for name, counters in stats.items():
            failures = counters.get("failures", 0)
            seen = self._failures.get(name)
            if seen is not None and failures > seen:
                self._failed_at[name] = now
            self._failures[name] = failures
            recent = now - self._failed_at.get(name, float("-inf")) < self._failing_for_s
            states[name] = "failing" if recent or counters.get("pending_invalidations", 0) else "up"
        return states
