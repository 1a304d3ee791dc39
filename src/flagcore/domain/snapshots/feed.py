"""The flags of the local-evaluation definitions document, in PostHog's minimal serializer shape.

Flag dependencies are stored by flag id and served by key with a ``dependency_chain`` (dependencies first, the
referenced flag last), so an SDK can evaluate them without knowing ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from flagcore.domain.flags.encryption import redacted
from flagcore.domain.flags.model import FeatureFlag
from flagcore.domain.flags.parsing import filters_as_served
from flagcore.domain.flags.validation import flag_dependency_ids
from flagcore.domain.ids import parse_id


class FeedFlag(msgspec.Struct, frozen=True, kw_only=True):
    """PostHog's ``MinimalFeatureFlagSerializer`` shape."""

    id: int
    team_id: int
    name: str
    key: str
    filters: dict[str, Any]
    deleted: bool
    active: bool
    ensure_experience_continuity: bool
    has_encrypted_payloads: bool
    version: int
    evaluation_runtime: str
    bucketing_identifier: str
    evaluation_tags: list[str]
    # The Rust service's name for the same list; SDKs read either.
    evaluation_contexts: list[str]


def feed_flags(flags: Iterable[FeatureFlag]) -> list[FeedFlag]:
    """``flags`` in the feed's flag shape, in the given order; dependencies resolve among the non-deleted ones."""
    ordered = list(flags)
    by_id = {f.id: f for f in ordered if not f.deleted}
    return [_feed_flag(f, by_id) for f in ordered]


def _feed_flag(flag: FeatureFlag, by_id: Mapping[int, FeatureFlag]) -> FeedFlag:
    # An encrypted flag's payloads are never served from here (only remote_config/ decrypts them).
    filters = filters_as_served(redacted(flag.filters) if flag.has_encrypted_payloads else flag.filters)
    for group in filters["groups"]:
        for prop in group["properties"]:
            if prop["type"] == "flag":
                _rewrite_dependency(prop, by_id)
    return FeedFlag(
        id=flag.id,
        team_id=flag.project_id,
        name=flag.name,
        key=flag.key,
        filters=filters,
        deleted=flag.deleted,
        active=flag.active,
        ensure_experience_continuity=flag.ensure_experience_continuity,
        has_encrypted_payloads=flag.has_encrypted_payloads,
        version=flag.version,
        evaluation_runtime=flag.evaluation_runtime,
        bucketing_identifier=flag.bucketing_identifier,
        evaluation_tags=list(flag.evaluation_tags),
        evaluation_contexts=list(flag.evaluation_tags),
    )


def _rewrite_dependency(prop: dict[str, Any], by_id: Mapping[int, FeatureFlag]) -> None:
    key = str(prop.get("key", ""))
    dep_id = parse_id(key)
    target = by_id.get(dep_id) if dep_id is not None else None
    if target is None:
        prop["dependency_chain"] = []  # missing dependency: the evaluator answers false / missing_dependency
        return
    prop["key"] = target.key
    prop["dependency_chain"] = dependency_chain(target.id, by_id)


def dependency_chain(flag_id: int, by_id: Mapping[int, FeatureFlag]) -> list[str]:
    """Keys to evaluate for ``flag_id``, dependencies before dependents, ``flag_id`` last; ``[]`` on a cycle or gap."""
    order: list[str] = []
    state: dict[int, str] = {}  # "visiting" | "done"

    def visit(node: int) -> bool:
        if state.get(node) == "done":
            return True
        if state.get(node) == "visiting" or node not in by_id:
            return False
        state[node] = "visiting"
        for dep in sorted(flag_dependency_ids(by_id[node].filters)):
            if not visit(dep):
                return False
        state[node] = "done"
        order.append(by_id[node].key)
        return True

    return order if visit(flag_id) else []
