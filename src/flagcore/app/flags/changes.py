"""Applying a write's requested changes to a flag, with every rule of the domain checked."""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.domain.flags import (
    DependencyInfo,
    FeatureFlag,
    Filters,
    check_transition,
    merge_filters,
    normalize_tags,
    parse_filters,
    validate_dependencies,
    validate_evaluation_tags,
    validate_filters,
    validate_key,
)
from flagcore.domain.flags.limits import check_name, check_tags
from flagcore.domain.flags.values import BucketingIdentifier, EvaluationRuntime

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


class FlagChanges(msgspec.Struct, frozen=True, kw_only=True):
    """The fields a write sets; ``UNSET`` leaves a field as stored. ``filters`` is the request's raw JSON."""

    key: str | Unset = UNSET
    name: str | Unset = UNSET
    filters: dict[str, Any] | Unset = UNSET
    active: bool | Unset = UNSET
    deleted: bool | Unset = UNSET
    ensure_experience_continuity: bool | Unset = UNSET
    evaluation_runtime: EvaluationRuntime | Unset = UNSET
    bucketing_identifier: BucketingIdentifier | Unset = UNSET
    is_remote_configuration: bool | Unset = UNSET
    has_encrypted_payloads: bool | Unset = UNSET
    tags: list[str] | Unset = UNSET
    evaluation_tags: list[str] | Unset = UNSET

    def __post_init__(self) -> None:
        # Size limits before any other rule, for creates and updates alike: they only measure what was sent.
        if not isinstance(self.name, Unset):
            check_name(self.name)
        if not isinstance(self.tags, Unset):
            check_tags(self.tags, attr="tags")
        if not isinstance(self.evaluation_tags, Unset):
            check_tags(self.evaluation_tags, attr="evaluation_tags")


def apply_changes(
    current: FeatureFlag,
    changes: FlagChanges,
    *,
    replace_filters: bool,
    project_flags: dict[int, DependencyInfo],
    **stamp: Any,  # noqa: ANN401 - updated_at / last_modified_by_id, passed through to the struct
) -> FeatureFlag:
    """The flag as it would be after ``changes``, validated; raises the domain error of the first broken rule.

    Args:
        current: the stored flag.
        changes: what the request sets.
        replace_filters: PUT replaces ``filters`` wholesale; PATCH merges them key by key.
        project_flags: the project's non-deleted flags, for dependency rules.
        stamp: audit fields to set on the result.
    """
    updates: dict[str, Any] = {
        name: value
        for name in ("name", "active", "deleted", "ensure_experience_continuity", "evaluation_runtime")
        if (value := getattr(changes, name)) is not UNSET
    }
    for name in ("bucketing_identifier", "is_remote_configuration", "has_encrypted_payloads"):
        if (value := getattr(changes, name)) is not UNSET:
            updates[name] = value
    if not isinstance(changes.key, Unset):
        updates["key"] = validate_key(changes.key)
    filters = current.filters
    if not isinstance(changes.filters, Unset):
        filters = parse_filters(changes.filters) if replace_filters else merge_filters(current.filters, changes.filters)
        validate_filters(filters, is_create=False)
        updates["filters"] = filters
    tags = normalize_tags(changes.tags) if not isinstance(changes.tags, Unset) else current.tags
    evaluation_tags = (
        normalize_tags(changes.evaluation_tags)
        if not isinstance(changes.evaluation_tags, Unset)
        else current.evaluation_tags
    )
    validate_evaluation_tags(tags, evaluation_tags)
    after = msgspec.structs.replace(current, tags=tags, evaluation_tags=evaluation_tags, **updates, **stamp)
    # A restore is checked like a new flag: what it depends on may have been deleted or disabled meanwhile.
    restored = current.deleted and not after.deleted
    if not isinstance(changes.filters, Unset) or after.key != current.key or restored:
        validate_dependencies(flag_id=current.id, key=after.key, filters=filters, project_flags=project_flags)
    check_transition(current, after, project_flags)
    return after


def new_flag_filters(raw: dict[str, Any] | Unset) -> Filters:
    """Filters of a flag being created. Omitted filters mean "no conditions yet", as PostHog stores ``{}``."""
    if isinstance(raw, Unset):
        return Filters()
    filters = parse_filters(raw)
    validate_filters(filters, is_create=True)
    return filters
