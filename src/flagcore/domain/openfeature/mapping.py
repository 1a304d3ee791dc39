"""Manifest flags <-> PostHog flags (OpenFeature spec §1.5, §1.6).

A new flag evaluates to its manifest default until someone adds targeting: a boolean is a 100% or 0% rollout,
other types are multivariate flags whose variant keys are what the official PostHog providers read (the string
itself, the canonical numeric literal) and whose payloads hold the typed value OFREP returns.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

import msgspec

from flagcore.domain.flags import FeatureFlag
from flagcore.domain.flags.values import VARIANT_KEY_PATTERN
from flagcore.domain.openfeature.errors import InvalidManifestError
from flagcore.domain.openfeature.model import FlagDeclaration, ManifestFlag, OpenFeatureType

_VARIANT_KEY: Final = re.compile(VARIANT_KEY_PATTERN)
_VARIANT_KEY_MAX: Final = 400
_INTEGER: Final = re.compile(r"^-?[0-9]+$")
_NUMBER: Final = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE]-?[0-9]+)?$")


def equal_weights(count: int) -> list[int]:
    """Integer rollout percentages for ``count`` variants summing to exactly 100; the remainder goes to the first."""
    if count <= 0:
        return []
    share, remainder = divmod(100, count)
    return [share + 1 if i < remainder else share for i in range(count)]


def validate_default(flag_type: OpenFeatureType, value: Any, *, field: str = "defaultValue") -> Any:  # noqa: ANN401
    """``value`` checked against ``flag_type``; floats are returned as floats (an integral float stays a float).

    Raises:
        InvalidManifestError: the value is not of the type.
    """
    ok = {
        "boolean": isinstance(value, bool),
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
        "object": True,
    }[flag_type]
    if not ok:
        raise InvalidManifestError(f"{field} must be a JSON {flag_type} for a {flag_type} flag.", attr=field)
    return float(value) if flag_type == "float" else value


def creation_filters(flag: ManifestFlag) -> dict[str, Any]:
    """The raw ``filters`` of a flag created from ``flag``: it evaluates to the default for everyone.

    Raises:
        InvalidManifestError: a string value that cannot be a variant key, or a value of the wrong type.
    """
    default = validate_default(flag.flag_type, flag.default_value)
    if flag.flag_type == "boolean":
        return {"groups": [{"properties": [], "rollout_percentage": 100 if default else 0}]}
    values = [default, *(validate_default(flag.flag_type, v, field="variants") for v in flag.variants)]
    keyed: dict[str, Any] = {}
    for index, value in enumerate(values):
        keyed.setdefault(variant_key(flag.flag_type, value, index), value)
    weights = equal_weights(len(keyed))
    filters: dict[str, Any] = {
        "groups": [{"properties": [], "rollout_percentage": 100}],
        "multivariate": {
            "variants": [{"key": key, "rollout_percentage": w} for key, w in zip(keyed, weights, strict=True)]
        },
    }
    if flag.flag_type != "string":
        filters["payloads"] = {key: msgspec.json.encode(value).decode() for key, value in keyed.items()}
    return filters


def variant_key(flag_type: OpenFeatureType, value: Any, index: int) -> str:  # noqa: ANN401 - any JSON value
    """The variant key that stands for ``value``: what PostHog's own providers return (or parse) as the value."""
    if flag_type == "string":
        if not _VARIANT_KEY.match(value) or len(value) > _VARIANT_KEY_MAX:
            msg = f"String value {value!r} cannot be a variant key: use 1-400 letters, digits, '_', '-', '.' or '/'."
            raise InvalidManifestError(msg, attr="defaultValue" if index == 0 else "variants")
        return str(value)
    if flag_type == "integer":
        return str(value)
    if flag_type == "float":
        return repr(float(value)).replace("e+", "e")
    return "default" if index == 0 else f"variant-{index}"


def declared_or_inferred(flag: FeatureFlag, declaration: FlagDeclaration | None) -> tuple[OpenFeatureType, Any]:
    """The flag's OpenFeature type and default: as declared by a manifest, else inferred from its variants."""
    if declaration is not None:
        return declaration.flag_type, declaration.default_value
    variants = flag.filters.variant_keys
    if not variants:
        return "boolean", False
    if all(_INTEGER.match(key) for key in variants):
        return "integer", int(variants[0])
    if all(_NUMBER.match(key) for key in variants):
        return "float", float(variants[0])
    payloads = [_decoded(flag.filters.payloads.get(key)) for key in variants]
    if all(isinstance(p, dict | list) for p in payloads):
        return "object", payloads[0]
    return "string", variants[0]


def manifest_entry(flag: FeatureFlag, declaration: FlagDeclaration | None) -> ManifestFlag:
    """The manifest view of a stored flag (its ``name`` is the description)."""
    flag_type, default = declared_or_inferred(flag, declaration)
    return ManifestFlag(key=flag.key, flag_type=flag_type, default_value=default, description=flag.name)


def _decoded(payload: str | None) -> Any:  # noqa: ANN401 - any JSON value
    if payload is None:
        return None
    try:
        return msgspec.json.decode(payload)
    except msgspec.DecodeError:
        return None
