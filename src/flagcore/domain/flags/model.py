"""The feature flag and its ``filters``, as PostHog stores and serves them.

The structs mirror PostHog's JSON so a flag round-trips through the API unchanged; ``omit_defaults`` keeps optional
keys out of the output when they were never set. Rules that need more than one field live in ``validation.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from flagcore.domain.flags.values import (
    BucketingIdentifier,
    EvaluationRuntime,
    GroupTypeIndex,
    Percentage,
    PropertyType,
    Tag,
    VariantKey,
)


class PropertyFilter(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """One property test of a condition. ``value`` keeps its JSON type (string, number, bool, list)."""

    key: str
    value: Any = None
    operator: str | None = None
    type: PropertyType = "person"
    negation: bool = False
    group_type_index: GroupTypeIndex | None = None
    # Display-only fields that PostHog's UI writes; kept so a round trip does not drop them.
    label: str | None = None
    cohort_name: str | None = None


class ConditionGroup(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A condition set: all properties must match, then the rollout applies.

    ``properties``, ``rollout_percentage`` and ``variant`` are always serialised (clients expect them); optional
    UI fields are ``UNSET`` when absent so they are not invented on output.

    ``aggregation_group_type_index`` is tri-state as on the server: absent inherits the flag's aggregation,
    ``null`` means person, an int means that group type.
    """

    properties: list[PropertyFilter] = msgspec.field(default_factory=list)
    rollout_percentage: Percentage | None = None
    variant: str | None = None
    aggregation_group_type_index: GroupTypeIndex | None | msgspec.UnsetType = msgspec.UNSET
    description: str | None | msgspec.UnsetType = msgspec.UNSET
    sort_key: str | None | msgspec.UnsetType = msgspec.UNSET


class Variant(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    key: VariantKey
    name: str | None = None
    rollout_percentage: Percentage = 0


class Multivariate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    variants: list[Variant]


class Holdout(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    id: int
    exclusion_percentage: Percentage


class Filters(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True):
    """A flag's targeting. ``payloads`` values are JSON-encoded strings, as PostHog stores them."""

    groups: list[ConditionGroup] = msgspec.field(default_factory=list)
    multivariate: Multivariate | None = None
    aggregation_group_type_index: GroupTypeIndex | None = None
    payloads: dict[str, str] = msgspec.field(default_factory=dict)
    holdout: Holdout | None = None
    super_groups: list[ConditionGroup] | None = None
    feature_enrollment: bool | None = None
    early_exit: bool | None = None

    @property
    def variant_keys(self) -> tuple[str, ...]:
        return tuple(v.key for v in self.multivariate.variants) if self.multivariate else ()


class FeatureFlag(msgspec.Struct, frozen=True, kw_only=True):
    """A stored feature flag of one project. ``version`` starts at 1 and grows by one on every write."""

    id: int
    project_id: int
    key: str
    name: str = ""
    filters: Filters = msgspec.field(default_factory=Filters)
    active: bool = True
    deleted: bool = False
    version: int = 1
    ensure_experience_continuity: bool = False
    evaluation_runtime: EvaluationRuntime = "all"
    bucketing_identifier: BucketingIdentifier = "distinct_id"
    is_remote_configuration: bool = False
    has_encrypted_payloads: bool = False
    tags: tuple[Tag, ...] = ()
    evaluation_tags: tuple[Tag, ...] = ()
    created_at: datetime
    updated_at: datetime | None = None
    created_by_id: int | None = None
    last_modified_by_id: int | None = None

    @property
    def is_multivariate(self) -> bool:
        return bool(self.filters.variant_keys)


class NewFlag(msgspec.Struct, frozen=True, kw_only=True):
    """A validated flag ready to be stored; the repository assigns ``id`` and sets ``version`` to 1."""

    project_id: int
    key: str
    name: str
    filters: Filters
    active: bool
    ensure_experience_continuity: bool
    evaluation_runtime: EvaluationRuntime
    bucketing_identifier: BucketingIdentifier
    is_remote_configuration: bool
    has_encrypted_payloads: bool
    tags: tuple[str, ...]
    evaluation_tags: tuple[str, ...]
    created_at: datetime
    created_by_id: int | None
