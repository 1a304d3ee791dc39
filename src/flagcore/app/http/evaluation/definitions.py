"""The local-evaluation definitions feed for server SDKs, with ETag / If-None-Match (304).

Served as stored bytes: nothing is decoded or re-encoded per request. Server SDKs poll it, and most polls end in a
304, so it answers as a bare ASGI app like ``/flags`` does (see ``evaluation.py``): no request container, no
``Request`` object, no response conversion; errors raised before anything is sent go to the app's handlers.
"""

from __future__ import annotations

from typing import Final, cast

from litestar import Litestar, get
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from flagcore.app.evaluation.definitions import LoadDefinitions
from flagcore.app.http.asgi import app_scoped, scope_headers
from flagcore.app.http.auth import FEED_ROUTE, project_ref, route_rule
from flagcore.app.http.evaluation.feed_gzip import GzipFeeds, accepts_gzip
from flagcore.app.http.evaluation.flags_request import parse_query
from flagcore.app.http.openapi import QueryParam, doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authenticate import Authenticate
from flagcore.app.identity.authorize import Authorize
from flagcore.app.quota.serving import ServingQuota
from flagcore.domain.snapshots.documents import Definitions

_CACHE_CONTROL: Final = (b"cache-control", b"private, must-revalidate")
_JSON: Final = (b"content-type", b"application/json")
_TRUE: Final = frozenset({"", "true", "1", "yes", "on"})
_GZIP: Final = (b"content-encoding", b"gzip")
_VARY: Final = (b"vary", b"Accept-Encoding")


def wants_cohorts(query: dict[str, str]) -> bool:
    """``?send_cohorts`` with no value counts as true, as PostHog reads it."""
    value = query.get("send_cohorts")
    return value is not None and value.lower() in _TRUE


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak or strong, quoted or not, in a list or alone).

    ``*`` matches any current representation (RFC 9110 13.1.2): the feed always has one, so it answers 304.
    """
    if not if_none_match:
        return False
    return any(tag.strip().removeprefix("W/").strip('"') in (etag, "*") for tag in if_none_match.split(","))


class FeedEndpoint:
    """Authorize the caller for a project, then send its feed, or 304 when the caller already has it."""

    __slots__ = ("_gzip",)

    def __init__(self) -> None:
        self._gzip = GzipFeeds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002 - no body to read
        http = cast("HTTPScope", scope)  # an HTTP route's scope
        headers_in = scope_headers(http["headers"])
        query = parse_query(http["query_string"])
        app = Litestar.from_scope(scope)
        opt = http["route_handler"].opt
        principal = await (await app_scoped(app, Authenticate)).execute(headers_in.get("authorization"))
        grant = await (await app_scoped(app, Authorize)).project(
            principal,
            project_ref(opt, http["path_params"], query, token_wins=True),  # PostHog's feed reads ?token= first
            scope=route_rule(opt).scope or "",
            secret_key=True,
        )
        quota = await app_scoped(app, ServingQuota)
        await quota.check_feed(grant.project)  # 429 when throttled, 402 when the organization is limited
        feed = await (await app_scoped(app, LoadDefinitions)).execute(grant.project, with_cohorts=wants_cohorts(query))
        etag = (b"etag", f'W/"{feed.etag}"'.encode())
        if etag_matches(headers_in.get("if-none-match"), feed.etag):
            start = {"type": "http.response.start", "status": 304, "headers": [etag, _CACHE_CONTROL, _VARY]}
            await send(start)  # type: ignore[arg-type]  # a valid ASGI message; the TypedDict union is too strict
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        headers = [etag, _CACHE_CONTROL, _JSON, _VARY]
        body = feed.body
        if accepts_gzip(headers_in.get("accept-encoding")):
            body = await self._gzip.body(feed.etag, feed.body)  # compressed once per snapshot, not per request
            headers.append(_GZIP)
        headers.append((b"content-length", b"%d" % len(body)))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
        quota.feed_served(grant.project)  # a 304 above counts nothing


_FEED: Final = FeedEndpoint()
_FEED_OPT: Final = {
    **FEED_ROUTE,
    **doc(
        query=[
            QueryParam(name="token", description="The project's public API key: which project (secret keys name it)."),
            QueryParam(name="send_cohorts", description="Inline cohorts in the document (`true`)."),
        ],
        response=Definitions,
        statuses=[(304, "Not modified: the `If-None-Match` ETag is current.", None)],
    ),
}


@get("/flags/definitions", opt=_FEED_OPT, operation_id=operation("flag_definitions"), tags=["evaluation"])
async def flag_definitions() -> ASGIApp:
    return _FEED


@get(
    "/local_evaluation",
    opt=_FEED_OPT,
    operation_id=operation("feature_flags_local_evaluation"),
    tags=["feature_flags"],
)
async def project_local_evaluation() -> ASGIApp:
    # The project comes from the scope (the path's {project_id}, or the legacy mount's key owner or ?token=), read
    # by the endpoint; the path parameter is documented from the mount's path.
    return _FEED
