"""The flag list of a project: search, filters, sortable columns and pages, read through ``ListFlags``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlencode

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from flagcore.app.flags.queries import ListFlags
from flagcore.app.http.auth import UI_PAGE
from flagcore.app.http.management.list_query import parse_flag_query
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import UI_PREFIX, UiUser
from flagcore.app.identity.authorize import Authorize
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.flags.status import FlagStatus, flag_status
from flagcore.ports.clock import Clock

Req = Request[Any, Any, Any]
PAGE_SIZE: Final = 50
#: The list's filters as the page names them, and the API list parameters they become.
_FILTERS: Final = ("search", "active", "type", "runtime", "tag", "order")
SORTABLE: Final = ("key", "name", "created_at", "updated_at")


class FlagRow(msgspec.Struct, frozen=True, kw_only=True):
    flag: FeatureFlag
    #: ``active``, ``stale`` or ``inactive`` (a switched-off flag).
    badge: str
    kind: str
    rollout: str


def badge(flag: FeatureFlag, now: datetime) -> str:
    if not flag.active:
        return "inactive"
    return "stale" if flag_status(flag, now=now).status is FlagStatus.STALE else "active"


def describe_rollout(flag: FeatureFlag) -> str:
    groups = flag.filters.groups
    if not groups:
        return "no conditions"
    parts = [f"{g.rollout_percentage if g.rollout_percentage is not None else 100:g}%" for g in groups[:3]]
    return ", ".join(parts) + (" …" if len(groups) > 3 else "")  # noqa: PLR2004 - shown at most


def kind(flag: FeatureFlag) -> str:
    if flag.filters.multivariate and flag.filters.multivariate.variants:
        return "multivariate"
    return "remote config" if flag.is_remote_configuration else "boolean"


def api_params(params: Mapping[str, str], page: int) -> dict[str, str]:
    """The page's query as the flag list API's parameters (the same parser reads both)."""
    out = {"limit": str(PAGE_SIZE), "offset": str((page - 1) * PAGE_SIZE)}
    for name, api in (("search", "search"), ("active", "active"), ("type", "type"), ("runtime", "evaluation_runtime")):
        if params.get(name):
            out[api] = params[name]
    if params.get("tag"):
        out["tags"] = msgspec.json.encode([params["tag"]]).decode()
    out["order"] = params.get("order") or "key"
    return out


def page_number(raw: str | None) -> int:
    if raw is None or not raw.isdigit() or not 1 <= int(raw) <= 100_000:  # noqa: PLR2004 - far beyond any project
        return 1
    return int(raw)


class FlagListController(Controller):
    path = f"{UI_PREFIX}/projects/{{project_id:int}}/flags"
    include_in_schema = False

    @get("/", opt=UI_PAGE)
    @inject
    async def flag_list(
        self,
        request: Req,
        project_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[ListFlags],
        clock: FromDishka[Clock],
    ) -> Response[Any]:
        access = await ui.project(authorize, project_id, scope="feature_flag:read")
        params = {name: request.query_params[name] for name in _FILTERS if request.query_params.get(name)}
        page = page_number(request.query_params.get("page"))
        error = None
        try:
            query = parse_flag_query(api_params(params, page))
        except InvalidInputError as exc:
            error, query = f"{exc.attr}: {exc.detail}", parse_flag_query(api_params({}, 1))
        result = await use_case.execute(access.project.id, query)
        now = clock.now()
        rows = [FlagRow(flag=f, badge=badge(f, now), kind=kind(f), rollout=describe_rollout(f)) for f in result.items]
        pages = max(1, -(-result.count // PAGE_SIZE))

        def link(**changes: object) -> str:
            merged = {**params, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
            return f"?{urlencode(merged)}"

        def sort_link(column: str) -> str:
            current = params.get("order", "key")
            return link(order=f"-{column}" if current == column else column, page=1)

        return render(
            "flag_list.html",
            ui_user=ui,
            project=access.project,
            rows=rows,
            count=result.count,
            page=page,
            pages=pages,
            params=params,
            error=error,
            link=link,
            sort_link=sort_link,
            order=params.get("order", "key"),
            sortable=SORTABLE,
        )
