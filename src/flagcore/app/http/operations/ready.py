"""Readiness, for load balancers and Kubernetes readiness probes: can this process serve right now?

``/_health`` is liveness (the process answers). ``/_ready`` answers 200 only when the database is reachable and
migrated to this version's schema (or a newer one: migrations are additive), 503 otherwise, with a body saying
why. It also says which snapshot cache tiers are up; a cache tier that fails does not make the process unready
(reads fall through to the database), so it is reported, not judged. Public like ``/_health``: the body names
failure kinds and tier names only, never hosts, database names or driver messages (those go to the log).
"""

from __future__ import annotations

import logging
from typing import Any, Final

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Response, get

from flagcore.app.http.auth import PUBLIC_ROUTE
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.observability.tiers import TierWatch
from flagcore.ports.readiness import DatabaseProbe, DatabaseState
from flagcore.ports.status import StatusProbe

logger = logging.getLogger("flagcore.ready")
_WATCH: Final = "flagcore.ready.tier_watch"
_LAST: Final = "flagcore.ready.last_detail"


class DatabaseReadiness(msgspec.Struct, frozen=True, kw_only=True):
    ready: bool
    detail: str
    revision: str | None
    head: str | None


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    #: "ready" or "not_ready".
    status: str
    database: DatabaseReadiness
    #: Per snapshot tier, in read order: "up", or "failing" (it failed in the last seconds or owes invalidations).
    snapshot_tiers: dict[str, str]


_READY_OPT: Final = {
    **PUBLIC_ROUTE,
    **doc(uses_backend=False, statuses=[(503, "Not ready: the database is unreachable or not migrated.", Readiness)]),
}


@get("/_ready", opt=_READY_OPT, operation_id=operation("ready"), tags=["health"])
@inject
async def ready(
    request: Request[Any, Any, Any], probe: FromDishka[DatabaseProbe], status: FromDishka[StatusProbe]
) -> Response[Readiness]:
    state = await probe.check()
    _log_change(request, state)
    watch: TierWatch | None = request.app.state.get(_WATCH)
    if watch is None:
        watch = request.app.state[_WATCH] = TierWatch()
    body = Readiness(
        status="ready" if state.ready else "not_ready",
        database=DatabaseReadiness(ready=state.ready, detail=state.detail, revision=state.revision, head=state.head),
        snapshot_tiers=watch.states(status.status().snapshot_tiers),
    )
    return Response(body, status_code=200 if state.ready else 503)


def _log_change(request: Request[Any, Any, Any], state: DatabaseState) -> None:
    # One line when readiness changes, not one per probe.
    detail = state.cause or state.detail
    if request.app.state.get(_LAST) == (state.ready, detail):
        return
    request.app.state[_LAST] = (state.ready, detail)
    if state.ready:
        logger.info("ready: database %s", detail)
    else:
        logger.warning("not ready: %s", detail)
