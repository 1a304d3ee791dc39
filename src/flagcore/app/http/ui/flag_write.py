"""The editor's form as a flag write (``FlagChanges``), and the domain's errors as messages beside their fields."""

from __future__ import annotations

from typing import Any, Final

import msgspec

from flagcore.app.flags.changes import FlagChanges
from flagcore.app.http.ui.flag_form import RUNTIMES, FlagForm, GroupRow, PropertyRow
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import FeatureFlag

#: Where a domain error is shown, by the ``attr`` it names (filters errors go by what they are about).
_FIELDS: Final = {"key": "key", "name": "name", "tags": "tags", "evaluation_tags": "evaluation_tags"}


class FormError(Exception):
    """Messages by form field (``key``, ``g0.rollout``, ``v1.payload``, ``conditions``, ``variants``...)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def field_of(exc: InvalidInputError) -> str:
    """The form field or section a domain validation error belongs beside."""
    if exc.attr in _FIELDS:
        return _FIELDS[exc.attr]
    text = exc.detail.lower()
    if "evaluation tags" in text:
        return "evaluation_tags"
    if exc.attr == "filters" or exc.attr is None:
        if "payload" in text:
            return "payloads"
        if "variant" in text and "override" not in text:
            return "variants"
        return "conditions"
    return "form"


def _percentage(raw: str, field: str, errors: dict[str, str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        errors[field] = "Enter a number from 0 to 100."
        return None
    if not 0 <= value <= 100:  # noqa: PLR2004 - a percentage
        errors[field] = "Enter a number from 0 to 100."
        return None
    return int(value) if value.is_integer() else value


def _value(raw: str) -> Any:  # noqa: ANN401 - a property value keeps its JSON type
    """A property value: JSON when it reads as a number, boolean, list or null; otherwise the text itself."""
    if raw == "":
        return None
    try:
        decoded = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return raw
    return raw if isinstance(decoded, str | dict) else decoded


def _json_payload(raw: str, field: str, errors: dict[str, str]) -> str | None:
    if not raw:
        return None
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError:
        errors[field] = "Not valid JSON (strings need double quotes)."
        return None
    return raw


def _property(row: PropertyRow, field: str, errors: dict[str, str]) -> dict[str, Any]:
    prop: dict[str, Any] = {"key": row.key, "type": row.type, "operator": row.operator, "value": _value(row.value)}
    if row.type == "cohort":
        prop["key"] = "id"
        prop["value"] = _value(row.value or row.key)
    if row.type == "group":
        if not row.group_type_index.isdigit():
            errors[f"{field}.gti"] = "A group property needs its group type index (0-4)."
        else:
            prop["group_type_index"] = int(row.group_type_index)
    if row.operator in {"is_set", "is_not_set"}:
        prop["value"] = row.operator
    return prop


def _group(group: GroupRow, i: int, errors: dict[str, str]) -> dict[str, Any]:
    rollout = _percentage(group.rollout, f"g{i}.rollout", errors) if group.rollout else 100
    return {
        "properties": [_property(p, f"g{i}.p{j}", errors) for j, p in enumerate(group.properties)],
        "rollout_percentage": rollout,
        "variant": group.variant or None,
    }


def _tags(raw: str) -> list[str]:
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


def to_changes(form: FlagForm, stored: FeatureFlag | None) -> FlagChanges:
    """The write the form asks for.

    Raises:
        FormError: fields the form itself cannot read (numbers, JSON); the domain checks everything else.
    """
    errors: dict[str, str] = {}
    filters: dict[str, Any] = msgspec.to_builtins(stored.filters) if stored is not None else {}
    filters["groups"] = [_group(g, i, errors) for i, g in enumerate(form.groups)]
    variants = []
    payloads: dict[str, str] = {}
    for k, row in enumerate(form.variants):
        rollout = _percentage(row.rollout or "0", f"v{k}.rollout", errors)
        variants.append({"key": row.key, "name": row.name or None, "rollout_percentage": rollout})
        payload = _json_payload(row.payload, f"v{k}.payload", errors)
        if payload is not None:
            payloads[row.key] = payload
    filters["multivariate"] = {"variants": variants} if variants else None
    true_payload = _json_payload(form.payload_true, "payload_true", errors)
    if true_payload is not None:
        payloads["true"] = true_payload
    filters["payloads"] = payloads
    if form.aggregation and not form.aggregation.isdigit():
        errors["aggregation"] = "A group type index (0-4), or empty for persons."
    filters["aggregation_group_type_index"] = int(form.aggregation) if form.aggregation.isdigit() else None
    if form.runtime not in RUNTIMES:
        errors["runtime"] = "Choose all, server or client."
    if errors:
        raise FormError(errors)
    try:
        return FlagChanges(
            key=form.key,
            name=form.name,
            filters=filters,
            active=form.active,
            ensure_experience_continuity=form.continuity,
            evaluation_runtime=form.runtime,  # type: ignore[arg-type]  # checked against RUNTIMES above
            tags=_tags(form.tags),
            evaluation_tags=_tags(form.evaluation_tags),
        )
    except InvalidInputError as exc:
        raise FormError({field_of(exc): exc.detail}) from None
