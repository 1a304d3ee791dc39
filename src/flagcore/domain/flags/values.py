"""Constrained primitives of flag management (checked when msgspec decodes or converts)."""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

#: PostHog's key rule (baseline serializer) and the model's max length.
FLAG_KEY_PATTERN: Final = r"^[a-zA-Z0-9_-]+$"
FLAG_KEY_MAX_LENGTH: Final = 400
#: Later PostHog schema (§13): variant keys may also contain dots and slashes.
VARIANT_KEY_PATTERN: Final = r"^[a-zA-Z0-9_./-]+$"

Percentage = Annotated[float, msgspec.Meta(ge=0, le=100)]
VariantKey = Annotated[str, msgspec.Meta(pattern=VARIANT_KEY_PATTERN, min_length=1, max_length=400)]
GroupTypeIndex = Annotated[int, msgspec.Meta(ge=0, le=4)]
Tag = Annotated[str, msgspec.Meta(max_length=255)]

EvaluationRuntime = Literal["server", "client", "all"]
BucketingIdentifier = Literal["distinct_id", "device_id"]
PropertyType = Literal["person", "cohort", "group", "flag", "person_metadata"]

#: Operators the server understands (PostHog's fixed list, §13 and evaluation spec §5.2).
OPERATORS: Final = frozenset(
    {
        "exact",
        "is_not",
        "is_set",
        "is_not_set",
        "icontains",
        "not_icontains",
        "icontains_multi",
        "not_icontains_multi",
        "starts_with",
        "not_starts_with",
        "ends_with",
        "not_ends_with",
        "regex",
        "not_regex",
        "gt",
        "gte",
        "lt",
        "lte",
        "min",
        "max",
        "between",
        "not_between",
        "is_date_before",
        "is_date_after",
        "is_date_exact",
        "semver_eq",
        "semver_neq",
        "semver_gt",
        "semver_gte",
        "semver_lt",
        "semver_lte",
        "semver_tilde",
        "semver_caret",
        "semver_wildcard",
        "in",
        "not_in",
        "flag_evaluates_to",
    }
)
#: Operators whose filter value PostHog requires to be a string. PostHog also demands strings for gt/gte/lt/lte;
#: we accept JSON numbers there too, since the server compares numerically either way.
STRING_VALUE_OPERATORS: Final = frozenset({"regex", "icontains", "not_regex", "not_icontains"})
NUMERIC_VALUE_OPERATORS: Final = frozenset({"gte", "lte", "gt", "lt"})
DATE_OPERATORS: Final = frozenset({"is_date_before", "is_date_after"})
MAX_LIST_VALUES: Final = 1000
