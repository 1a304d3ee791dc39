"""Parsing list query strings (pagination for every list route, the flag filters), and building page links."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, get_args
from urllib.parse import quote, urlencode

import msgspec
from litestar import Request

from flagcore.app.http.openapi import PAGINATION, QueryParam
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import normalize_tags
from flagcore.domain.ids import MAX_ID, parse_id
from flagcore.domain.json_limits import exceeds_json_depth, too_deep_message
from flagcore.ports.flags import FlagOrder, FlagQuery, FlagType

DEFAULT_LIMIT: Final = 100
# PostHog has no cap; one stops a single request from serialising an entire large project.
MAX_LIMIT: Final = 1000
# The largest offset the databases take as a bound parameter everywhere (and far beyond any real list).
MAX_OFFSET: Final = MAX_ID
#: Values of a list parameter (tags, excluded_properties): a bound on the SQL they expand into.
MAX_LIST_PARAMETER: Final = 1000
_INTEGER: Final = re.compile(r"-?[0-9]{1,19}")  # ASCII only: int() would read other scripts' digits too


def parse_page(params: Mapping[str, str]) -> tuple[int, int]:
    """``(limit, offset)`` from ``?limit=`` (1-1,000, default 100) and ``?offset=`` (0 or more, default 0).

    An absent or empty parameter takes its default; anything else must be in range, as DRF's field validation
    reports it (PostHog's error body; ``attr`` names the parameter) instead of being ignored.

    Raises:
        InvalidInputError: a limit or offset that is not an integer, or out of range.
    """
    return (
        bounded(params.get("limit"), "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT),
        bounded(params.get("offset"), "offset", default=0, low=0, high=MAX_OFFSET),
    )


def bounded(raw: str | None, attr: str, *, default: int, low: int, high: int) -> int:
    """An integer query parameter in ``[low, high]``; absent or empty: ``default`` (DRF's messages)."""
    if raw is None or not raw.strip():
        return default
    text = raw.strip()  # str.strip also takes control separators (\x1c-\x1f) that int() refuses
    if not _INTEGER.fullmatch(text):
        raise InvalidInputError("A valid integer is required.", code="invalid", attr=attr)
    value = int(text)
    if value < low:
        raise InvalidInputError(f"Ensure this value is greater than or equal to {low}.", code="min_value", attr=attr)
    if value > high:
        raise InvalidInputError(f"Ensure this value is less than or equal to {high}.", code="max_value", attr=attr)
    return value


_BOOLEANS: Final = {"true": True, "1": True, "false": False, "0": False}
_RUNTIMES: Final = {"server": "server", "client": "client", "all": "all", "both": "all"}


_TRUTHY: Final = frozenset({"true", "1", "yes"})
#: Marks a query for stale flags until the use case, which knows the time, sets the cut-off.
STALE_MARK: Final = datetime.max.replace(tzinfo=UTC)


def parse_flag_query(params: Mapping[str, str]) -> FlagQuery:
    """Read the list parameters.

    They are limit, offset, active, search, type, evaluation_runtime, created_by_id, tags, has_evaluation_tags,
    excluded_properties and order.

    ``active=STALE`` sets ``stale_before`` to :data:`STALE_MARK`; the use case replaces it with the real cut-off.

    Raises:
        InvalidInputError: a filter or page value that cannot mean anything (attr names the parameter).
    """
    limit, offset = parse_page(params)
    active = params.get("active")
    stale = active is not None and active.upper() == "STALE"
    if active is not None and not stale and active.lower() not in _BOOLEANS:
        raise InvalidInputError(f'"{active}" is not a valid boolean.', code="invalid", attr="active")
    flag_type = params.get("type")
    if flag_type is not None and flag_type not in get_args(FlagType):
        raise InvalidInputError(f'"{flag_type}" is not a valid choice.', code="invalid_choice", attr="type")
    runtime = params.get("evaluation_runtime")
    if runtime is not None and runtime not in _RUNTIMES:
        raise InvalidInputError(f'"{runtime}" is not a valid choice.', code="invalid_choice", attr="evaluation_runtime")
    order = params.get("order", "-created_at")
    if order not in get_args(FlagOrder):
        raise InvalidInputError(f'"{order}" is not a valid ordering.', code="invalid_choice", attr="order")
    created_by = params.get("created_by_id")
    if created_by is not None and parse_id(created_by) is None:
        raise InvalidInputError("A valid integer is required.", code="invalid", attr="created_by_id")
    if "\x00" in params.get("search", ""):
        raise InvalidInputError("Null characters are not allowed.", code="null_characters_not_allowed", attr="search")
    tags = _json_strings(params.get("tags"), "tags")
    excluded = _json_strings(params.get("excluded_properties"), "excluded_properties")
    has_evaluation_tags = params.get("has_evaluation_tags")
    return FlagQuery(
        active=_BOOLEANS[active.lower()] if active is not None and not stale else None,
        stale_before=STALE_MARK if stale else None,
        tags=normalize_tags(tags) if tags is not None else None,
        has_evaluation_tags=(
            has_evaluation_tags.lower() in _TRUTHY if has_evaluation_tags is not None and has_evaluation_tags else None
        ),
        excluded_keys=tuple(excluded or ()),
        search=params.get("search") or None,
        type=flag_type,  # type: ignore[arg-type]  # checked against FlagType above
        evaluation_runtime=_RUNTIMES[runtime] if runtime is not None else None,  # type: ignore[arg-type]
        created_by_id=parse_id(created_by) if created_by is not None else None,
        order=order,  # type: ignore[arg-type]
        limit=limit,
        offset=offset,
    )


def _json_strings(raw: str | None, attr: str) -> list[str] | None:
    """A query parameter holding a JSON list of strings (``tags=["a","b"]``); absent or empty: None.

    Raises:
        InvalidInputError: not JSON, too deep, or not a list of strings.
    """
    if raw is None or not raw.strip():
        return None
    if exceeds_json_depth(raw):
        raise InvalidInputError(too_deep_message(), attr=attr)
    try:
        decoded = msgspec.json.decode(raw, type=list[str])
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise InvalidInputError(f"{attr} must be a JSON list of strings.", attr=attr) from None
    if len(decoded) > MAX_LIST_PARAMETER:
        raise InvalidInputError(f"At most {MAX_LIST_PARAMETER} values are allowed.", attr=attr)
    return decoded


def request_base_url(request: Request[Any, Any, Any]) -> str:
    """The request's absolute URL without its query, its path exactly as sent (encoding and trailing slash kept).

    Litestar's ``request.url`` carries the router's normalised path (no trailing slash, decoded); the raw path is
    what the client will follow back.
    """
    raw: bytes | None = request.scope.get("raw_path")
    # Some ASGI clients (httpx's test transport) leave the query in raw_path; the ASGI spec says it is not there.
    path = raw.decode("latin-1").split("?", 1)[0] if raw else quote(request.url.path)
    url = request.url
    return f"{url.scheme}://{url.netloc}{path}"


def page_links(base_url: str, params: Mapping[str, str], query: FlagQuery, count: int) -> tuple[str | None, str | None]:
    """Absolute ``next`` and ``previous`` URLs of a flag list page, or None at either end."""
    return page_urls(base_url, params, limit=query.limit, offset=query.offset, count=count)


def page_urls(
    base_url: str, params: Mapping[str, str], *, limit: int, offset: int, count: int
) -> tuple[str | None, str | None]:
    """Absolute ``next`` and ``previous`` URLs of any list page, or None at either end.

    Args:
        base_url: the request's URL without its query, path exactly as requested (trailing slash included).
        params: the request's query parameters, kept in the links.
        limit: the page size.
        offset: the page's first item.
        count: the number of items in the whole list.
    """

    def link(at: int) -> str:
        merged = {**params, "limit": str(limit), "offset": str(at)}
        if at == 0:
            merged.pop("offset")
        return f"{base_url}?{urlencode(merged)}"

    nxt = link(offset + limit) if offset + limit < count else None
    prev = link(max(offset - limit, 0)) if offset > 0 else None
    return nxt, prev


#: The list's query parameters, for the API documentation (``parse_flag_query`` is what reads them).
FLAG_LIST_QUERY: Final = (
    *PAGINATION,
    QueryParam(name="search", description="Part of the key or name, case-insensitive."),
    QueryParam(name="active", description="`true` or `false`."),
    QueryParam(name="type", description="Flag type.", type=FlagType),
    QueryParam(name="evaluation_runtime", description="`server`, `client`, `all`; `both` means `all`."),
    QueryParam(name="created_by_id", description="The creator's user id.", type=int),
    QueryParam(name="order", description="Sort order (default `-created_at`).", type=FlagOrder),
)
