"""The compiled, immutable form of a flag: everything per-flag that can be decided before any subject is seen.

Results that do not depend on the subject beyond *which* branch was taken (the match of condition 2 with variant
"test", the rollout miss of condition 0, ...) are built once here and shared by every evaluation, so the hot path
allocates nothing per flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flagcore.domain.evaluation.bucketing import VariantTable
from flagcore.domain.evaluation.matching.context import Predicate
from flagcore.domain.evaluation.model import FlagResult

__all__ = ("CompiledCondition", "CompiledFlag", "Holdout")


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """One condition set of a flag.

    Attributes:
        index: position in the stored order (the reported ``condition_index``).
        aggregation: effective group type index (``None`` = person).
        predicate: the AND of the property filters, ``None`` when the condition has none.
        threshold: rollout bound (``hash <= threshold``), ``None`` when everyone is in (100% or null).
        variant: the variant override, kept only when it names a declared variant.
        matched: the result of a match, by selected variant (``None`` = no variant).
        out_of_rollout: result when the properties matched but the rollout did not.
        no_match: result when the properties did not match.
        no_match_groups_skipped: ``no_match`` with the description used when group conditions were skipped.
        no_group_type: result when the condition is group-aggregated and the subject has no key for that group.
    """

    index: int
    aggregation: int | None
    predicate: Predicate | None
    threshold: float | None
    variant: str | None
    matched: Mapping[str | None, FlagResult]
    out_of_rollout: FlagResult
    no_match: FlagResult
    no_match_groups_skipped: FlagResult
    no_group_type: FlagResult


@dataclass(frozen=True, slots=True)
class Holdout:
    """A flag's holdout: members get ``holdout-<id>`` before any condition is looked at.

    Attributes:
        threshold: membership bound on the holdout hash; ``None`` when everyone is a member (100%).
        result: the result of a member.
    """

    threshold: float | None
    result: FlagResult


@dataclass(frozen=True, slots=True)
class CompiledFlag:
    """A flag ready to evaluate.

    Attributes:
        key: the flag key.
        flag_id: the flag's id, if the definition has one.
        version: the flag's version.
        active: inactive flags are never evaluated (omitted from results; ``false`` for their dependents).
        prefix: ``<key>.`` in UTF-8, the hash prefix for rollout and variant.
        aggregation: flag-level group type index (``None`` = person flag); used by the holdout.
        device_bucketing: ``bucketing_identifier == "device_id"``.
        continuity: ``ensure_experience_continuity``.
        enrollment_key: ``$feature_enrollment/<key>`` when ``feature_enrollment`` is on.
        super_condition: the first legacy super group (read only without ``feature_enrollment``).
        super_keys: the property keys of ``super_condition`` (it applies only when the person has one of them).
        enrolled: result when the enrollment property (or super condition) says yes.
        not_enrolled: result when it says no.
        holdout: the holdout, if any.
        conditions: condition sets in stored order.
        early_exit: a rollout miss after matching properties ends the evaluation.
        variants: the cumulative variant table (empty for boolean flags).
        seed: the result when no condition produced a reason (a flag without conditions).
        fixed: a result decided at compile time (missing dependency, unreadable definition), else ``None``.
        evaluation_runtime: ``"client"``, ``"server"``, ``"all"`` or ``None``.
        evaluation_contexts: the flag's evaluation context tags.
    """

    key: str
    flag_id: int | None
    version: int | None
    active: bool
    prefix: bytes
    aggregation: int | None
    device_bucketing: bool
    continuity: bool
    enrollment_key: str | None
    super_condition: CompiledCondition | None
    super_keys: tuple[str, ...]
    enrolled: FlagResult
    not_enrolled: FlagResult
    holdout: Holdout | None
    conditions: tuple[CompiledCondition, ...]
    early_exit: bool
    variants: VariantTable
    seed: FlagResult
    fixed: FlagResult | None
    evaluation_runtime: str | None
    evaluation_contexts: frozenset[str]

    def failure(self, error_code: str) -> FlagResult:
        """The failed result of this flag with a given error code."""
        return FlagResult(
            key=self.key,
            enabled=False,
            reason=error_code,
            error_code=error_code,
            flag_id=self.flag_id,
            version=self.version,
        )
