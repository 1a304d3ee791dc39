"""References inside a seed's filters: cohorts and flags are named by the seed's ids or keys, not the store's.

A seed (or a feed) names a cohort by the id it had where it came from, and a feed names a flag dependency by key;
the store assigns new ids, so filters are rewritten to them before the use case validates the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast


def rewrite_cohort_refs(filters: dict[str, Any], ids: Mapping[int, int]) -> dict[str, Any]:
    """``filters`` with every ``{"type": "cohort", "value": <seed id>}`` pointing at the created cohort."""

    def one(prop: dict[str, Any]) -> dict[str, Any]:
        ref = _as_int(prop.get("value"))
        if ref is not None and ref in ids:
            return {**prop, "value": ids[ref]}
        return prop

    return cast("dict[str, Any]", _map_properties(filters, "cohort", one))


def rewrite_flag_refs(filters: dict[str, Any], ids: Mapping[str, int]) -> dict[str, Any]:
    """``filters`` with every flag dependency named by key (as the feed serves it) named by the flag's id."""

    def one(prop: dict[str, Any]) -> dict[str, Any]:
        key = prop.get("key")
        if isinstance(key, str) and key in ids:
            return {k: v for k, v in prop.items() if k != "dependency_chain"} | {"key": str(ids[key])}
        return {k: v for k, v in prop.items() if k != "dependency_chain"}

    return cast("dict[str, Any]", _map_properties(filters, "flag", one))


def _map_properties(value: Any, kind: str, change: Any) -> Any:  # noqa: ANN401 - any JSON value
    if isinstance(value, dict):
        mapped = {k: _map_properties(v, kind, change) for k, v in value.items()}
        return change(mapped) if mapped.get("type") == kind and "key" in mapped else mapped
    if isinstance(value, list):
        return [_map_properties(item, kind, change) for item in value]
    return value


def _as_int(value: Any) -> int | None:  # noqa: ANN401 - any JSON value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
