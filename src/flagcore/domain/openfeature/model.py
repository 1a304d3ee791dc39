"""The OpenFeature view of a flag: its declared type and code default, which PostHog has no field for."""

from __future__ import annotations

from typing import Any, Final, Literal

import msgspec

OpenFeatureType = Literal["boolean", "string", "integer", "float", "object"]
OPENFEATURE_TYPES: Final[tuple[OpenFeatureType, ...]] = ("boolean", "string", "integer", "float", "object")


class FlagDeclaration(msgspec.Struct, frozen=True, kw_only=True):
    """What a manifest declared for one stored flag, kept beside it so a pull returns what was pushed.

    Attributes:
        project_id: the flag's project.
        flag_id: the flag.
        flag_type: the OpenFeature type.
        default_value: the code default (any JSON value of ``flag_type``).
    """

    project_id: int
    flag_id: int
    flag_type: OpenFeatureType
    default_value: Any


class ManifestFlag(msgspec.Struct, frozen=True, kw_only=True):
    """One flag as the manifest sees it.

    Attributes:
        key: the flag key.
        flag_type: the OpenFeature type.
        default_value: the code default.
        description: free text (the PostHog flag's ``name``).
        variants: extra values a new string/number/object flag splits between (a flagcore extension; the
            default is always the first variant).
    """

    key: str
    flag_type: OpenFeatureType
    default_value: Any
    description: str = ""
    variants: tuple[Any, ...] = ()

    def same_metadata(self, other: ManifestFlag) -> bool:
        """Whether a push of ``other`` would change nothing (the CLI compares key, type, default, description)."""
        return (
            self.key == other.key
            and self.flag_type == other.flag_type
            and self.description == other.description
            and _same_json(self.default_value, other.default_value)
        )


def _same_json(left: Any, right: Any) -> bool:  # noqa: ANN401 - any JSON value
    # Go re-serialises numbers (1.0 becomes 1), and True == 1 in Python: compare JSON texts of normalised values.
    return bool(msgspec.json.encode(_normal(left)) == msgspec.json.encode(_normal(right)))


def _normal(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value
