"""Helpers shared by the property-matching tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from flagcore.domain.evaluation.matching import CompileContext, MatchInput, compile_properties

VECTORS = Path(__file__).parents[5] / ".." / "shared" / "vectors"
NOW = datetime(2024, 6, 15, 12, 0, 0, tzinfo=UTC)


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def context(tz: tzinfo = UTC, *, version: int = 1, **kwargs: Any) -> CompileContext:
    return CompileContext(timezone=tz, property_matching_version=version, **kwargs)


def prop_filter(operator: str | None, value: Any, key: str = "k", **extra: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"key": key, "value": value, "type": "person", **extra}
    if operator is not None:
        f["operator"] = operator
    return f


def matches(
    operator: str | None,
    value: Any,
    props: dict[str, Any],
    *,
    ctx: CompileContext | None = None,
    now: datetime = NOW,
) -> bool:
    """Evaluate one person filter on key ``k`` against ``props``."""
    pred = compile_properties([prop_filter(operator, value)], ctx or context(), aggregation=None)
    return pred(MatchInput(person_properties=props, now=now))


def matches_value(operator: str | None, value: Any, prop: Any, **kwargs: Any) -> bool:
    """Evaluate one person filter against a present property value."""
    return matches(operator, value, {"k": prop}, **kwargs)
