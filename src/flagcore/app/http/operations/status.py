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

from flagcore.app.http.auth import OPERATOR_ROUTE
from flagcore.app.http.operations.operator_auth import OPERATOR_GUARDS
from flagcore.app.http.routes import operation
from flagcore.ports.invalidations import ListenerStatus
from flagcore.ports.status import StatusProbe, UsageStatus


class Status(msgspec.Struct, frozen=True, kw_only=True):
    #: "degraded" while a tier owes invalidations it could not take (it has been failing since) or the invalidation
    #: channel is down; the counters tell the rest (a rising ``failures`` is a tier failing now).
    status: str
    #: Per tier, in read order: hits, misses, failures, skipped, refills, refused, pending_invalidations.
    snapshot_tiers: dict[str, dict[str, int]]
    #: Cross-instance invalidations over Redis pub/sub; null when Redis is not configured.
    invalidations: ListenerStatus | None
    #: Credential lookups answered from the last known project while the database was unavailable.
    credentials_served_stale: int
    #: Quota accounting and throttles: the counter store and whether its last flush worked, units held in
    #: process, failures. ``counter_store_ok: false`` (degraded): requests are served and counted later.
    usage: UsageStatus | None = None


@get("/_status", opt=OPERATOR_ROUTE, guards=OPERATOR_GUARDS, operation_id=operation("status"), tags=["health"])
@inject
async def status(probe: FromDishka[StatusProbe]) -> Status:
    report = probe.status()
    invalidations = report.invalidations
    degraded = (
        any(_pending(counters) for counters in report.snapshot_tiers.values())
        or (invalidations is not None and not invalidations.subscribed)
        or (report.usage is not None and not report.usage.counter_store_ok)
    )
    return Status(
        status="degraded" if degraded else "ok",
        snapshot_tiers=report.snapshot_tiers,
        invalidations=invalidations,
        credentials_served_stale=report.credentials_served_stale,
        usage=report.usage,
    )


def _pending(counters: dict[str, Any]) -> bool:
    # An invalidation a tier missed stays pending until the tier answers again: a tier still failing.
    return bool(counters.get("pending_invalidations"))
