"""Compile one flag definition into a :class:`CompiledFlag` (the per-flag half of "compile once")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from flagcore.domain.evaluation.bucketing import (
    VariantTable,
    build_variant_table,
    digest_at_or_below,
    digest_below,
    rollout_threshold,
)
from flagcore.domain.evaluation.compiled import CompiledCondition, CompiledFlag, Holdout
from flagcore.domain.evaluation.definitions import RawCondition, RawFilters, RawFlag
from flagcore.domain.evaluation.matching import PropertyCompiler
from flagcore.domain.evaluation.model import FlagResult, Reason, reason_description

__all__ = ("FlagIdentity", "compile_flag", "fixed_flag")

_HUNDRED = 100.0
# Shared: most flags have no context tags, and each empty frozenset() is a new 200-byte object.
_NO_CONTEXTS: frozenset[str] = frozenset()


def _contexts(tags: Sequence[str] | None) -> frozenset[str]:
    return frozenset(tags) if tags else _NO_CONTEXTS


class FlagIdentity(msgspec.Struct, frozen=True):
    """What every result of a flag repeats: its key, id and version."""

    key: str
    flag_id: int | None
    version: int | None

    def result(
        self,
        reason: Reason,
        condition_index: int | None = None,
        *,
        variant: str | None = None,
        enabled: bool = False,
        payload: Any = None,  # noqa: ANN401 - payloads are arbitrary stored JSON
        groups_skipped: bool = False,
    ) -> FlagResult:
        """Build a (non-failed) result of this flag."""
        return FlagResult(
            key=self.key,
            enabled=enabled,
            variant=variant,
            payload=payload,
            reason=reason.code,
            condition_index=condition_index,
            description=reason_description(reason, condition_index, groups_skipped=groups_skipped),
            flag_id=self.flag_id,
            version=self.version,
        )


def compile_flag(
    flag: RawFlag,
    conditions: Sequence[Sequence[Mapping[str, Any]]],
    matcher: PropertyCompiler,
) -> CompiledFlag:
    """Compile a flag whose dependency filters have already been rewritten to flag keys.

    Args:
        flag: the parsed definition.
        conditions: the property filters of each condition set (same order as ``flag.filters.groups``), rewritten.
        matcher: the snapshot's property compiler (it compiles each cohort once for all flags).

    Returns:
        The compiled flag.

    Raises:
        ValueError: the filters use a config format this engine does not evaluate (``filters.version`` 2).
        Exception: whatever the property matcher raises for filters it cannot compile.
    """
    filters = flag.filters or RawFilters()
    if filters.version not in (None, 1):
        msg = f"filters version {filters.version} is not evaluated"
        raise ValueError(msg)
    identity = FlagIdentity(key=flag.key, flag_id=flag.id, version=flag.version)
    payloads = filters.payloads or {}
    variants = (filters.multivariate.variants if filters.multivariate else None) or []
    table = build_variant_table([(variant.key, variant.rollout_percentage) for variant in variants])
    raw_groups = filters.groups or []
    # Group conditions are skipped (``no_match_groups_skipped``) only when the flag has one.
    has_group_condition = any(_aggregation(raw, filters) is not None for raw in raw_groups)
    compiled = tuple(
        _compile_condition(identity, index, raw, props, filters, table, payloads, matcher, has_group_condition)
        for index, (raw, props) in enumerate(zip(raw_groups, conditions, strict=True))
    )
    super_condition, super_keys = _compile_super_condition(identity, filters, table, payloads, matcher)
    true_payload = payloads.get("true")
    enrollment_key = f"$feature_enrollment/{flag.key}" if filters.feature_enrollment is True else None
    seed = identity.result(Reason.NO_GROUP_TYPE)
    if enrollment_key is not None or super_condition is not None:
        # The server attaches the "true" payload to the enrollment answer whatever it is.
        enrolled = identity.result(Reason.SUPER_CONDITION_VALUE, 0, enabled=True, payload=true_payload)
        not_enrolled = identity.result(Reason.SUPER_CONDITION_VALUE, 0, payload=true_payload)
    else:
        enrolled = not_enrolled = seed  # never returned without an enrollment (see CompiledFlag)
    return CompiledFlag(
        key=flag.key,
        flag_id=flag.id,
        version=flag.version,
        active=flag.active,
        prefix=f"{flag.key}.".encode(),
        aggregation=filters.aggregation_group_type_index,
        device_bucketing=flag.bucketing_identifier == "device_id",
        continuity=bool(flag.ensure_experience_continuity),
        enrollment_key=enrollment_key,
        super_condition=super_condition,
        super_keys=super_keys,
        enrolled=enrolled,
        not_enrolled=not_enrolled,
        holdout=_compile_holdout(identity, filters, payloads),
        conditions=compiled,
        early_exit=filters.early_exit is True,
        # With no condition at all, the server reports its seed reason with no index.
        seed=seed,
        fixed=None,
        evaluation_runtime=flag.evaluation_runtime,
        evaluation_contexts=_contexts(flag.evaluation_contexts or flag.evaluation_tags),
    )


def fixed_flag(identity: FlagIdentity, result: FlagResult, *, active: bool) -> CompiledFlag:
    """A flag whose result was decided at compile time (missing dependency, unreadable definition)."""
    return CompiledFlag(
        key=identity.key,
        flag_id=identity.flag_id,
        version=identity.version,
        active=active,
        prefix=f"{identity.key}.".encode(),
        aggregation=None,
        device_bucketing=False,
        continuity=False,
        enrollment_key=None,
        super_condition=None,
        super_keys=(),
        enrolled=result,
        not_enrolled=result,
        holdout=None,
        conditions=(),
        early_exit=False,
        seed=result,
        fixed=result,
        evaluation_runtime=None,
        evaluation_contexts=_NO_CONTEXTS,
    )


def _compile_condition(
    identity: FlagIdentity,
    index: int,
    raw: RawCondition,
    properties: Sequence[Mapping[str, Any]],
    filters: RawFilters,
    table: VariantTable,
    payloads: Mapping[str, Any],
    matcher: PropertyCompiler,
    has_group_condition: bool,  # noqa: FBT001 - internal, positional like the rest
) -> CompiledCondition:
    aggregation = _aggregation(raw, filters)
    checks = matcher.conjuncts(properties, aggregation=aggregation) if properties else ()
    matched: dict[str | None, FlagResult] = {
        variant: identity.result(
            Reason.CONDITION_MATCH, index, variant=variant, enabled=True, payload=payloads.get(variant or "true")
        )
        for variant in (None, *sorted({key for _, key in table}))
    }
    # An override naming a declared variant, or a boolean flag, decides the match without a variant hash.
    override = raw.variant if raw.variant is not None and raw.variant in matched else None
    threshold = rollout_threshold(raw.rollout_percentage)
    out_of_rollout = identity.result(Reason.OUT_OF_ROLLOUT_BOUND, index)
    no_match = identity.result(Reason.NO_CONDITION_MATCH, index)
    # Results that can never be returned are not built: they name an existing object instead (see
    # CompiledCondition). A snapshot holds one result per reason, condition and variant, most of its memory.
    return CompiledCondition(
        index=index,
        aggregation=aggregation,
        checks=checks,
        rollout=None if threshold is None else digest_at_or_below(threshold),
        match=matched[override] if override is not None or not table else None,
        variants=tuple((digest_below(bound), matched[key]) for bound, key in table),
        no_variant=matched[None],
        out_of_rollout=out_of_rollout,
        no_match=no_match,
        no_match_groups_skipped=(
            identity.result(Reason.NO_CONDITION_MATCH, index, groups_skipped=True) if has_group_condition else no_match
        ),
        no_group_type=out_of_rollout if aggregation is None else identity.result(Reason.NO_GROUP_TYPE, index),
    )


def _aggregation(raw: RawCondition, filters: RawFilters) -> int | None:
    if raw.aggregation_group_type_index is msgspec.UNSET:
        return filters.aggregation_group_type_index
    return raw.aggregation_group_type_index


def _compile_super_condition(
    identity: FlagIdentity,
    filters: RawFilters,
    table: VariantTable,
    payloads: Mapping[str, Any],
    matcher: PropertyCompiler,
) -> tuple[CompiledCondition | None, tuple[str, ...]]:
    # Legacy early-access format, read by the server only when feature_enrollment is not on, and only its first
    # group; super groups always target persons.
    if filters.feature_enrollment is True or not filters.super_groups:
        return None, ()
    raw = msgspec.structs.replace(filters.super_groups[0], aggregation_group_type_index=None)
    properties = raw.properties or []
    if not properties:
        return None, ()
    keys = tuple(str(prop.get("key")) for prop in properties)
    return _compile_condition(identity, 0, raw, properties, filters, table, payloads, matcher, False), keys


def _compile_holdout(identity: FlagIdentity, filters: RawFilters, payloads: Mapping[str, Any]) -> Holdout | None:
    if filters.holdout is None:
        return None
    percentage = min(max(filters.holdout.exclusion_percentage, 0.0), _HUNDRED)
    variant = f"holdout-{filters.holdout.id}"
    return Holdout(
        threshold=None if percentage == _HUNDRED else percentage / 100,
        result=identity.result(
            Reason.HOLDOUT_CONDITION_VALUE, variant=variant, enabled=True, payload=payloads.get(variant)
        ),
    )
