"""The numbers ``/_status`` shows (and the database pool), read from the components that keep them.

Nothing here changes those components: ``StatusSources`` reads them at publish time, and ``MetricsPublisher``
turns their running totals into Prometheus counters by adding what grew since its last look, so counters stay
counters (monotonic, summed across workers) in multi-process mode too.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dishka import AsyncContainer
from dishka.exceptions import NoFactoryError
from prometheus_client import Counter

from flagcore.app.observability.metrics import Metrics
from flagcore.ports.status import StatusProbe

if TYPE_CHECKING:  # imported only with SQL storage (see resolve): a memory server does without SQLAlchemy
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, kw_only=True)
class StatusSources:
    #: The counters ``/_status`` shows, through their port.
    probe: StatusProbe
    #: The SQL engine, for its pool; ``None`` with memory storage.
    engine: AsyncEngine | None

    @classmethod
    async def resolve(cls, container: AsyncContainer, *, sql: bool) -> StatusSources:
        """The app's instances (APP scope), from its container; ``sql``: whether storage is SQL (has an engine)."""
        engine: AsyncEngine | None = None
        if sql:
            from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: PLC0415 - see the imports

            with contextlib.suppress(NoFactoryError):  # a container composed without the SQL provider
                engine = await container.get(AsyncEngine)
        return cls(probe=await container.get(StatusProbe), engine=engine)


class MetricsPublisher:
    """Copies the sources' current numbers into ``Metrics``; cheap enough to run at every scrape."""

    def __init__(self, metrics: Metrics, sources: StatusSources) -> None:
        self._metrics = metrics
        self._sources = sources
        self._published: dict[tuple[str, str], float] = {}

    def publish(self) -> None:
        metrics, sources = self._metrics, self._sources
        metrics.flush()
        status = sources.probe.status()
        for tier, counters in status.snapshot_tiers.items():
            for key, counter in metrics.tier.items():
                self._add(counter.labels(tier), ("tier." + key, tier), counters.get(key, 0))
            metrics.pending.labels(tier).set(counters.get("pending_invalidations", 0))
        listener = status.invalidations
        if listener is not None:
            self._add(metrics.invalidations_received, ("invalidations.received", ""), listener.received)
            self._add(metrics.invalidation_failures, ("invalidations.failures", ""), listener.failures)
            metrics.invalidations_subscribed.set(1 if listener.subscribed else 0)
        self._add(metrics.credentials_stale, ("credentials.stale", ""), status.credentials_served_stale)
        if sources.engine is not None:
            pool: Any = sources.engine.pool  # QueuePool has these; other pools (SQLite :memory:) may not
            if hasattr(pool, "checkedout"):
                metrics.pool_checked_out.set(pool.checkedout())
            if hasattr(pool, "size"):
                metrics.pool_size.set(pool.size())

    def _add(self, counter: Counter, key: tuple[str, str], total: float) -> None:
        grown = total - self._published.get(key, 0)
        if grown > 0:
            counter.inc(grown)
            self._published[key] = total
