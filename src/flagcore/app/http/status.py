"""Operator status: how the snapshot tiers and the invalidation channel are doing, as counters since start.

``/_health`` stays a bare liveness probe (it must not flap when Redis does). ``/_status`` is public like it, so a
load balancer or a scraper needs no credentials, and for that reason reveals only counters and tier names: no
keys, no URLs, no project ids, no error messages. Counters are per process (each worker has its own).
"""

from __future__ import annotations

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import get

from flagcore.adapters.cached import CachedProjectRepo
from flagcore.adapters.snapshots import TieredSnapshotCache
from flagcore.app.http.auth import OPERATOR_ROUTE
from flagcore.app.http.operator_auth import OPERATOR_GUARDS
from flagcore.app.ioc import SnapshotBackground
from flagcore.ports.identity import ProjectRepo


class InvalidationStatus(msgspec.Struct, frozen=True, kw_only=True):
    subscribed: bool
    received: int
    failures: int


class Status(msgspec.Struct, frozen=True, kw_only=True):
    #: "degraded" while a tier owes invalidations it could not take (it has been failing since) or the invalidation
    #: channel is down; the counters tell the rest (a rising ``failures`` is a tier failing now).
    status: str
    #: Per tier, in read order: hits, misses, failures, skipped, refills, refused, pending_invalidations.
    snapshot_tiers: dict[str, dict[str, int]]
    #: Cross-instance invalidations over Redis pub/sub; null when Redis is not configured.
    invalidations: InvalidationStatus | None
    #: Credential lookups answered from the last known project while the database was unavailable.
    credentials_served_stale: int


@get("/_status", opt=OPERATOR_ROUTE, guards=OPERATOR_GUARDS, operation_id="status", tags=["health"])
@inject
async def status(
    tiered: FromDishka[TieredSnapshotCache],
    background: FromDishka[SnapshotBackground],
    projects: FromDishka[ProjectRepo],
) -> Status:
    tiers = tiered.stats()
    listener = background.listener
    invalidations = (
        None
        if listener is None
        else InvalidationStatus(subscribed=listener.subscribed, received=listener.received, failures=listener.failures)
    )
    degraded = any(_pending(counters) for counters in tiers.values()) or (
        invalidations is not None and not invalidations.subscribed
    )
    return Status(
        status="degraded" if degraded else "ok",
        snapshot_tiers=tiers,
        invalidations=invalidations,
        credentials_served_stale=projects.stale_served if isinstance(projects, CachedProjectRepo) else 0,
    )


def _pending(counters: dict[str, Any]) -> bool:
    # An invalidation a tier missed stays pending until the tier answers again: a tier still failing.
    return bool(counters.get("pending_invalidations"))
