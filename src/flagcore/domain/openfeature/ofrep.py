"""PostHog evaluation mapped onto OFREP (OpenFeature spec §2.9, §4): the request context in, typed results out.

The context's ``targetingKey`` is the distinct id, ``groups`` and ``group_properties`` (or ``groupProperties``)
follow the PostHog providers' convention, every other attribute is a person property with its JSON type kept.
Values are typed from what the flag carries: a boolean flag gives ``enabled``, a variant with a number, object or
list payload gives the payload (how manifest-created numeric and object flags store their value), any other variant
its key. A multivariate flag that did not match sends no ``value``: the caller's code default applies.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.evaluation.compiled import CompiledFlag
from flagcore.domain.evaluation.model import FlagResult, Reason

PARSE_ERROR: Final = "PARSE_ERROR"
TARGETING_KEY_MISSING: Final = "TARGETING_KEY_MISSING"
INVALID_CONTEXT: Final = "INVALID_CONTEXT"
FLAG_NOT_FOUND: Final = "FLAG_NOT_FOUND"
GENERAL: Final = "GENERAL"

TARGETING_MATCH: Final = "TARGETING_MATCH"
SPLIT: Final = "SPLIT"
DISABLED: Final = "DISABLED"
DEFAULT: Final = "DEFAULT"

_GROUP_PROPERTY_KEYS: Final = ("group_properties", "groupProperties")


class OfrepRequestError(InvalidInputError):
    """The request cannot be evaluated; ``code`` is the OFREP error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail, code=code)


class OfrepContext(msgspec.Struct, frozen=True, kw_only=True):
    targeting_key: str
    person_properties: dict[str, Any]
    groups: dict[str, str]
    group_properties: dict[str, dict[str, Any]]


class OfrepEvaluation(msgspec.Struct, frozen=True, kw_only=True):
    """One flag's OFREP outcome: a success (``error_code`` None) or a failure.

    ``value`` is UNSET when the caller's code default applies.
    """

    key: str
    value: Any = msgspec.UNSET
    reason: str | None = None
    variant: str | None = None
    metadata: dict[str, str | int | bool] = msgspec.field(default_factory=dict)
    error_code: str | None = None
    error_details: str | None = None


def parse_context(body: Any) -> OfrepContext:  # noqa: ANN401 - the decoded JSON request body
    """The evaluation context of a decoded request body ``{"context": {...}}``.

    Raises:
        OfrepRequestError: ``PARSE_ERROR`` for a body that is not an object, ``INVALID_CONTEXT`` for a missing or
            malformed context, ``TARGETING_KEY_MISSING`` for a context without a targeting key.
    """
    if not isinstance(body, dict):
        raise OfrepRequestError(PARSE_ERROR, "The request body must be a JSON object.")
    context = body.get("context")
    if not isinstance(context, dict):
        raise OfrepRequestError(INVALID_CONTEXT, "The request body must have a 'context' object.")
    attributes = dict(context)
    targeting_key = attributes.pop("targetingKey", None)
    if targeting_key is None or targeting_key == "":
        raise OfrepRequestError(TARGETING_KEY_MISSING, "The context has no targetingKey.")
    if not isinstance(targeting_key, str):
        raise OfrepRequestError(INVALID_CONTEXT, "targetingKey must be a string.")
    groups = _groups(attributes.pop("groups", {}))
    group_properties: dict[str, dict[str, Any]] = {}
    for name in _GROUP_PROPERTY_KEYS:
        group_properties.update(_group_properties(attributes.pop(name, {}), name))
    return OfrepContext(
        targeting_key=targeting_key, person_properties=attributes, groups=groups, group_properties=group_properties
    )


def _groups(raw: Any) -> dict[str, str]:  # noqa: ANN401
    if not isinstance(raw, dict):
        raise OfrepRequestError(INVALID_CONTEXT, "groups must be an object of group type to group key.")
    groups: dict[str, str] = {}
    for group_type, key in raw.items():
        if isinstance(key, bool) or not isinstance(key, str | int | float):
            raise OfrepRequestError(INVALID_CONTEXT, f"groups.{group_type} must be a string or a number.")
        groups[group_type] = key if isinstance(key, str) else str(key)
    return groups


def _group_properties(raw: Any, name: str) -> dict[str, dict[str, Any]]:  # noqa: ANN401
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise OfrepRequestError(INVALID_CONTEXT, f"{name} must be an object of group type to properties.")
    return raw


def evaluation(key: str, flag: CompiledFlag | None, result: FlagResult | None) -> OfrepEvaluation:
    """The OFREP outcome of one flag: ``flag`` from the snapshot (None if unknown), ``result`` from the pipeline."""
    if flag is None:
        return OfrepEvaluation(key=key, error_code=FLAG_NOT_FOUND, error_details=f"Flag '{key}' was not found.")
    boolean = is_boolean(flag)
    if not flag.active:
        return OfrepEvaluation(key=key, reason=DISABLED, metadata=_metadata(flag, None), **_off(boolean))
    if result is None:  # not visible to this request (another evaluation runtime or context)
        return OfrepEvaluation(key=key, error_code=FLAG_NOT_FOUND, error_details=f"Flag '{key}' was not found.")
    if result.failed:
        detail = f"Flag '{key}' could not be evaluated ({result.error_code})."
        return OfrepEvaluation(key=key, error_code=GENERAL, error_details=detail, metadata=_metadata(flag, result))
    metadata = _metadata(flag, result)
    if not result.enabled:
        reason = DISABLED if result.reason == Reason.FLAG_DISABLED.code else DEFAULT
        return OfrepEvaluation(key=key, reason=reason, metadata=metadata, **_off(boolean))
    if result.variant is None:
        return OfrepEvaluation(
            key=key, value=True, variant="true", reason=_match_reason(flag, result), metadata=metadata
        )
    value = _typed(result.variant, result.payload)
    return OfrepEvaluation(
        key=key, value=value, variant=result.variant, reason=_match_reason(flag, result), metadata=metadata
    )


def is_boolean(flag: CompiledFlag) -> bool:
    """Whether the flag has no variants (its value is whether it is enabled)."""
    for condition in flag.conditions:
        if condition.variants or (condition.match is not None and condition.match.variant is not None):
            return False
    return True


def _off(boolean: bool) -> dict[str, Any]:  # noqa: FBT001
    return {"value": False, "variant": "false"} if boolean else {}


def _match_reason(flag: CompiledFlag, result: FlagResult) -> str:
    if result.reason == Reason.HOLDOUT_CONDITION_VALUE.code:
        return SPLIT
    if result.reason == Reason.CONDITION_MATCH.code and result.condition_index is not None:
        index = result.condition_index
        condition = flag.conditions[index] if index < len(flag.conditions) else None
        # A hash decided: the rollout was below 100%, or a variant was picked among several.
        if condition is not None and (condition.rollout is not None or len(condition.variants) > 1):
            return SPLIT
    return TARGETING_MATCH


def _typed(variant: str, payload: Any) -> Any:  # noqa: ANN401 - any JSON value
    decoded = payload
    if isinstance(payload, str):
        try:
            decoded = msgspec.json.decode(payload)
        except msgspec.DecodeError:
            return variant
    if isinstance(decoded, bool) or not isinstance(decoded, int | float | dict | list):
        return variant
    return decoded


def _metadata(flag: CompiledFlag, result: FlagResult | None) -> dict[str, str | int | bool]:
    metadata: dict[str, str | int | bool] = {}
    if flag.flag_id is not None:
        metadata["flagId"] = flag.flag_id
    if flag.version is not None:
        metadata["flagVersion"] = flag.version
    if result is not None:
        metadata["posthogReason"] = result.reason
        if result.condition_index is not None:
            metadata["conditionIndex"] = result.condition_index
    else:
        metadata["posthogReason"] = Reason.FLAG_DISABLED.code
    return metadata
