"""Parsing the flag list's query string into a ``FlagQuery``, and building its page links."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, get_args
from urllib.parse import urlencode

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.ids import parse_id
from flagcore.ports.flags import FlagOrder, FlagQuery, FlagType

DEFAULT_LIMIT: Final = 100
# PostHog has no cap; one stops a single request from serialising an entire large project.
MAX_LIMIT: Final = 1000
_BOOLEANS: Final = {"true": True, "1": True, "false": False, "0": False}
_RUNTIMES: Final = {"server": "server", "client": "client", "all": "all", "both": "all"}


def parse_flag_query(params: Mapping[str, str]) -> FlagQuery:
    """Read the list parameters (limit, offset, active, search, type, evaluation_runtime, created_by_id, order).

    Raises:
        InvalidInputError: a filter value that cannot mean anything (attr names the parameter).
    """
    active = params.get("active")
    if active is not None and active.lower() not in _BOOLEANS:
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
    return FlagQuery(
        active=_BOOLEANS[active.lower()] if active is not None else None,
        search=params.get("search") or None,
        type=flag_type,  # type: ignore[arg-type]  # checked against FlagType above
        evaluation_runtime=_RUNTIMES[runtime] if runtime is not None else None,  # type: ignore[arg-type]
        created_by_id=parse_id(created_by) if created_by is not None else None,
        order=order,  # type: ignore[arg-type]
        limit=min(_non_negative(params.get("limit"), DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT),
        offset=_non_negative(params.get("offset"), 0),
    )


def _non_negative(raw: str | None, default: int) -> int:
    # DRF's LimitOffsetPagination falls back to the default for unparseable values instead of failing.
    value = parse_id(raw) if raw is not None else None
    return value if value is not None else default


def page_links(base_url: str, params: Mapping[str, str], query: FlagQuery, count: int) -> tuple[str | None, str | None]:
    """Absolute ``next`` and ``previous`` URLs, or None at either end."""

    def link(offset: int) -> str:
        merged = {**params, "limit": str(query.limit), "offset": str(offset)}
        if offset == 0:
            merged.pop("offset")
        return f"{base_url}?{urlencode(merged)}"

    nxt = link(query.offset + query.limit) if query.offset + query.limit < count else None
    prev = link(max(query.offset - query.limit, 0)) if query.offset > 0 else None
    return nxt, prev
