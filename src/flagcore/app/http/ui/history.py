"""A flag's activity entries as rows a person can read: structured fields (filters) split into their changed leaves."""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.domain.activity.model import FieldChange

_MISSING = object()


def _leaves(value: Any, path: str, out: dict[str, Any]) -> None:  # noqa: ANN401 - any JSON value
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _leaves(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _leaves(item, f"{path}[{index}]", out)
    else:
        out[path] = value


def show(value: object) -> str:
    """A value as text: ``—`` for nothing, JSON for anything but a string."""
    if value is None or value is _MISSING:
        return "—"
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


def field_rows(change: FieldChange) -> list[tuple[str, str, str]]:
    """``(field, before, after)`` rows: one per changed leaf of a structured field, else the field itself."""
    if not isinstance(change.before, dict | list) and not isinstance(change.after, dict | list):
        return [(change.field, show(change.before), show(change.after))]
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _leaves(change.before, "", before)
    _leaves(change.after, "", after)
    rows = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path, _MISSING), after.get(path, _MISSING)
        if old != new:
            rows.append((f"{change.field}.{path}" if path else change.field, show(old), show(new)))
    return rows or [(change.field, show(change.before), show(change.after))]
