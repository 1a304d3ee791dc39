"""The operations a change carries, and the flag update each one becomes when it runs.

Each operation is a partial flag update (PATCH semantics): ``filters`` keys given here replace the stored ones,
the others are kept, and the flag's own validation runs on the result (in the flag write path, not here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from flagcore.domain.flags import FeatureFlag
from flagcore.domain.scheduled_changes.errors import InvalidScheduledChangeError
from flagcore.domain.scheduled_changes.model import Operation

INVALID_PAYLOAD: Final = "Invalid payload"
_ATTR: Final = "payload"


class FlagUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """What a change sets on its flag: ``active``, or ``filters`` keys merged into the stored filters."""

    active: bool | None = None
    filters: dict[str, Any] | None = None


def parse_payload(payload: object) -> tuple[Operation, Any]:
    """The payload's operation and value, checked for shape.

    Raises:
        InvalidScheduledChangeError: "Invalid payload" (not an object, ``operation`` or ``value`` missing, or a
            value of the wrong shape), or "Unrecognized operation: X" (attr ``payload``).
    """
    if not isinstance(payload, Mapping) or "operation" not in payload or "value" not in payload:
        raise InvalidScheduledChangeError(INVALID_PAYLOAD, attr=_ATTR)
    try:
        operation = Operation(payload["operation"])
    except (ValueError, TypeError):
        raise InvalidScheduledChangeError(f"Unrecognized operation: {payload['operation']}", attr=_ATTR) from None
    value = payload["value"]
    if not _value_fits(operation, value):
        raise InvalidScheduledChangeError(f"{INVALID_PAYLOAD}: {_EXPECTED[operation]}", attr=_ATTR)
    return operation, value


_EXPECTED: Final = {
    Operation.UPDATE_STATUS: "update_status takes true or false.",
    Operation.ADD_RELEASE_CONDITION: 'add_release_condition takes {"groups": [...]}.',
    Operation.UPDATE_VARIANTS: 'update_variants takes {"variants": [...], "payloads": {...}}.',
}


def _value_fits(operation: Operation, value: object) -> bool:
    if operation is Operation.UPDATE_STATUS:
        return isinstance(value, bool)
    if not isinstance(value, Mapping):
        return False
    if operation is Operation.ADD_RELEASE_CONDITION:
        return isinstance(value.get("groups"), list)
    variants = value.get("variants")
    return (
        isinstance(variants, list)
        and all(isinstance(v, Mapping) and isinstance(v.get("key"), str) for v in variants)
        and isinstance(value.get("payloads", {}), Mapping)
    )


def check_variants(value: Mapping[str, Any]) -> None:
    """``update_variants``'s rules: percentages sum to 100, payload keys are variant keys.

    Raises:
        InvalidScheduledChangeError: "Invalid variant rollout percentages: sum is N, must be 100", or "Payload
            keys {...} don't match variant keys {...}".
    """
    variants = value["variants"]
    total: float = 0
    for variant in variants:
        share = variant.get("rollout_percentage", 0)
        if isinstance(share, bool) or not isinstance(share, int | float):
            raise InvalidScheduledChangeError(INVALID_PAYLOAD, attr=_ATTR)
        total += share
    if round(total * 100) != 100 * 100:
        shown = int(total) if float(total).is_integer() else round(total, 2)
        raise InvalidScheduledChangeError(
            f"Invalid variant rollout percentages: sum is {shown}, must be 100", attr=_ATTR
        )
    variant_keys = {v["key"] for v in variants}
    payload_keys = set(value.get("payloads") or {})
    if variant_keys and payload_keys and not payload_keys <= variant_keys:
        raise InvalidScheduledChangeError(
            f"Payload keys {_shown(payload_keys)} don't match variant keys {_shown(variant_keys)}", attr=_ATTR
        )


def _shown(keys: set[str]) -> str:
    return "{" + ", ".join(repr(k) for k in sorted(keys)) + "}"


def flag_update(payload: object, flag: FeatureFlag) -> FlagUpdate:
    """The partial update a change's payload makes to ``flag`` as it is now.

    ``add_release_condition`` appends its groups to the flag's (only ``groups``: PostHog documents ``payloads``
    and ``multivariate`` keys too but never applies them); ``update_variants`` replaces the variants and payloads.

    Raises:
        InvalidScheduledChangeError: see ``parse_payload`` and ``check_variants``.
    """
    operation, value = parse_payload(payload)
    if operation is Operation.UPDATE_STATUS:
        return FlagUpdate(active=value)
    if operation is Operation.ADD_RELEASE_CONDITION:
        groups = msgspec.to_builtins(flag.filters.groups)
        return FlagUpdate(filters={"groups": [*groups, *value["groups"]]})
    check_variants(value)
    variants = msgspec.json.decode(msgspec.json.encode(value["variants"]))  # a deep copy of the JSON
    return FlagUpdate(filters={"multivariate": {"variants": variants}, "payloads": dict(value.get("payloads") or {})})
