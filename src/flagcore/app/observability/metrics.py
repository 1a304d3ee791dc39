"""Prometheus metrics: one registry per app, or the multi-process files when several workers share a port.

Hot-path cost is kept to dictionary lookups and a few increments: the children of each (route, method, status)
and of each evaluation reason are resolved once and kept, never through ``labels()`` per request. What other
components count (the snapshot tiers, the invalidation channel, the credential cache, the database pool) is not
instrumented in their code: ``publish`` copies it into these metrics, at scrape time and, with several workers,
every few seconds from each worker (a scrape reaches one worker; the others' numbers come from the shared files).
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections import _count_elements  # type: ignore[attr-defined]  # Counter.update's C loop
from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from flagcore.app.observability.multiprocess import MULTIPROCESS_ENV
from flagcore.domain.evaluation import FlagResult

#: Routes that matched nothing (404s): one label value, so unknown paths cannot grow the series.
UNMATCHED_ROUTE: Final = "<unmatched>"
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_DURATION_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SIZE_BUCKETS: Final = tuple(float(1 << shift) for shift in range(10, 28, 2))  # 1 KiB .. 128 MiB
_BUILD_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_REASON: Final = attrgetter("reason")
_BOUNDS: Final = (*_DURATION_BUCKETS, float("inf"))  # the histogram's buckets, +Inf last, as prometheus-client has
#: Tier counter (from ``TieredSnapshotCache.stats()``) -> metric name suffix.
TIER_COUNTERS: Final = {
    "hits": "hits",
    "misses": "misses",
    "failures": "errors",
    "skipped": "skipped",
    "refills": "refills",
    "refused": "refused",
}


# The ``*_created`` series double the output and no dashboard of ours reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]


def multiprocess_dir() -> str | None:
    """The directory of the multi-process metric files, when several workers serve (set by ``flagcore serve``)."""
    return os.environ.get(MULTIPROCESS_ENV) or None


class Metrics:
    """Every metric flagcore exports, and the cached children the middleware increments."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess_dir() is not None
        # In multi-process mode values live in per-process files, read back by a MultiProcessCollector at scrape
        # time; the metrics are then registered nowhere (a registry would expose only this worker's numbers).
        self.registry = CollectorRegistry()
        reg = None if self.multiprocess else self.registry
        self.requests = Counter(
            "flagcore_http_requests", "HTTP requests by route template, method and status.",
            ["route", "method", "status"], registry=reg,
        )  # fmt: skip
        self.duration = Histogram(
            "flagcore_http_request_duration_seconds", "HTTP request duration by route template and method.",
            ["route", "method"], buckets=_DURATION_BUCKETS, registry=reg,
        )  # fmt: skip
        self.evaluations = Counter(
            "flagcore_flag_evaluations", "Flags evaluated by /flags and /decide, by reason.", ["reason"], registry=reg
        )
        self.tier = {
            key: Counter(f"flagcore_snapshot_cache_{name}", f"Snapshot tier {name}.", ["tier"], registry=reg)
            for key, name in TIER_COUNTERS.items()
        }
        self.pending = Gauge(
            "flagcore_snapshot_cache_pending_invalidations", "Invalidations a snapshot tier owes (it is failing).",
            ["tier"], registry=reg, multiprocess_mode="livesum",
        )  # fmt: skip
        self.build_seconds = Histogram(
            "flagcore_snapshot_build_seconds", "Time to build a snapshot from the database, by kind.", ["kind"],
            buckets=_BUILD_BUCKETS, registry=reg,
        )  # fmt: skip
        self.build_bytes = Histogram(
            "flagcore_snapshot_size_bytes", "Size of snapshots built from the database, by kind.", ["kind"],
            buckets=_SIZE_BUCKETS, registry=reg,
        )  # fmt: skip
        self.pool_checked_out = Gauge(
            "flagcore_db_pool_checked_out", "Database connections in use.", registry=reg, multiprocess_mode="livesum"
        )
        self.pool_size = Gauge(
            "flagcore_db_pool_size", "Database connections the pool keeps.", registry=reg, multiprocess_mode="livesum"
        )
        self.invalidations_received = Counter(
            "flagcore_snapshot_invalidations_received", "Invalidation messages from other instances.", registry=reg
        )
        self.invalidation_failures = Counter(
            "flagcore_snapshot_invalidation_channel_failures", "Failures of the invalidation channel.", registry=reg
        )
        self.invalidations_subscribed = Gauge(
            "flagcore_snapshot_invalidations_subscribed", "1 while subscribed to the invalidation channel.",
            registry=reg, multiprocess_mode="livemin",
        )  # fmt: skip
        self.credentials_stale = Counter(
            "flagcore_credentials_served_stale", "Credential lookups answered from the last known value.", registry=reg
        )
        self._requests: dict[tuple[str, str, int], _RequestTally] = {}
        self._reasons: dict[str, int] = {}
        self._reason_children: dict[str, Any] = {}
        #: How many results each counted one stands for (``FLAGCORE_METRICS_EVALUATION_SAMPLE``).
        self.evaluation_weight = 1
        self._unsampled = 0

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one request and its duration (``route`` is the template, never the raw path).

        Tallied in plain Python (a dict lookup, three additions and a bisection); ``flush`` moves the tallies into
        the Prometheus metrics, whose increments take a lock and, with several workers, write a shared file.
        """
        tally = self._requests.get((route, method, status))
        if tally is None:
            tally = self._requests[route, method, status] = _RequestTally(route, method, status)
        tally.count += 1
        tally.seconds += seconds
        tally.buckets[bisect_left(_BOUNDS, seconds)] += 1

    def sample_evaluations(self, every: int) -> None:
        """Count the results of 1 evaluation request in ``every``, each standing for ``every`` results."""
        self.evaluation_weight = max(1, every)

    def count_evaluations(self, flags: Mapping[str, FlagResult]) -> None:
        """Count a request's flag results by reason, if it is the sampled one (a tally flushed with the requests).

        Sampled by a counter of evaluation requests (not the clock, and not requests of other routes, which would
        let a repeating traffic pattern lock the sample onto them): the same share is counted however fast they
        come, and each counted result stands for ``evaluation_weight`` results.

        ``Counter.update`` without its Python-level preamble (an ABC ``isinstance`` check, among others), which cost
        about as much as the counting itself for 50 flags.
        """
        self._unsampled += 1
        if self._unsampled < self.evaluation_weight:
            return
        self._unsampled = 0
        _count_elements(self._reasons, map(_REASON, flags.values()))

    def flush(self) -> None:
        """Move the tallies into the Prometheus metrics (at scrape time, and periodically with several workers)."""
        for tally in list(self._requests.values()):
            count, seconds, buckets = tally.count, tally.seconds, tally.buckets
            if not count:
                continue
            tally.count, tally.seconds, tally.buckets = 0, 0.0, [0] * len(_BOUNDS)
            counter, histogram = self._children(tally)
            counter.inc(count)
            # prometheus-client has no bulk observe: its per-bucket values take the tallied counts directly.
            histogram._sum.inc(seconds)  # noqa: SLF001
            for index, added in enumerate(buckets):
                if added:
                    histogram._buckets[index].inc(added)  # noqa: SLF001
        reasons, self._reasons = self._reasons, {}
        for reason, count in reasons.items():
            child = self._reason_children.get(reason)
            if child is None:
                child = self._reason_children[reason] = self.evaluations.labels(reason)
            child.inc(count * self.evaluation_weight)

    def render(self) -> bytes:
        """The exposition text of every metric (every worker's, in multi-process mode)."""
        directory = multiprocess_dir()
        if self.multiprocess and directory is not None:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)

    def _children(self, tally: _RequestTally) -> tuple[Any, Any]:
        if tally.children is None:
            label = tally.method if tally.method in _METHODS else "other"  # any method would be a new series
            tally.children = (
                self.requests.labels(tally.route, label, str(tally.status)),
                self.duration.labels(tally.route, label),
            )
        return tally.children


class _RequestTally:
    __slots__ = ("buckets", "children", "count", "method", "route", "seconds", "status")

    def __init__(self, route: str, method: str, status: int) -> None:
        self.route, self.method, self.status = route, method, status
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * len(_BOUNDS)
        self.children: tuple[Any, Any] | None = None
