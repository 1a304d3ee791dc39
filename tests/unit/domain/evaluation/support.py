"""Shared helpers for the engine tests: vector files, definition builders, one-call evaluation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flagcore.domain.evaluation import CompiledSnapshot, FlagResult, Subject, compile_snapshot

VECTORS = Path(__file__).parents[4] / ".." / "shared" / "vectors"
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def person(key: str, value: Any, operator: str = "exact") -> dict[str, Any]:
    return {"key": key, "type": "person", "operator": operator, "value": value}


def group_prop(key: str, value: Any, index: int = 0) -> dict[str, Any]:
    return {"key": key, "type": "group", "group_type_index": index, "operator": "exact", "value": value}


def depends_on(reference: str | int, value: Any, *, feed_form: bool = False) -> dict[str, Any]:
    prop: dict[str, Any] = {"key": str(reference), "type": "flag", "operator": "flag_evaluates_to", "value": value}
    if feed_form:
        prop["dependency_chain"] = [reference]
    return prop


def condition(*properties: dict[str, Any], rollout: float | None = 100, **extra: Any) -> dict[str, Any]:
    return {"properties": list(properties), "rollout_percentage": rollout, **extra}


def flag(key: str, *conditions: dict[str, Any], flag_id: int | None = None, **fields: Any) -> dict[str, Any]:
    """A flag definition; keyword arguments go into ``filters`` unless they are flag-level fields."""
    top_level = {"active", "deleted", "ensure_experience_continuity", "evaluation_runtime", "evaluation_contexts"}
    top_level |= {"bucketing_identifier", "version"}
    filters = {"groups": list(conditions)}
    definition: dict[str, Any] = {"key": key, "id": flag_id, "active": True, "filters": filters}
    for name, value in fields.items():
        (definition if name in top_level else filters)[name] = value
    return definition


def variants(**percentages: float) -> dict[str, Any]:
    return {"variants": [{"key": key, "rollout_percentage": pct} for key, pct in percentages.items()]}


def snapshot(*flags: dict[str, Any], **document: Any) -> CompiledSnapshot:
    return compile_snapshot({"flags": list(flags), **document})


def evaluate(
    flags: dict[str, Any] | list[dict[str, Any]], subject: Subject | str = "user-1", **document: Any
) -> dict[str, FlagResult]:
    flag_list = flags if isinstance(flags, list) else [flags]
    who = subject if isinstance(subject, Subject) else Subject(distinct_id=subject)
    return snapshot(*flag_list, **document).evaluate(who, now=NOW)


def outcome(result: FlagResult) -> tuple[Any, str, int | None]:
    """(value, reason code, condition index): the triple most tests compare."""
    return result.value, result.reason, result.condition_index
