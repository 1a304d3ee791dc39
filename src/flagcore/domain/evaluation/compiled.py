"""The compiled, immutable form of a flag: everything per-flag that can be decided before any subject is seen.

Results that do not depend on the subject beyond *which* branch was taken (the match of condition 2 with variant
"test", the rollout miss of condition 0, ...) are built once here and shared by every evaluation, so the hot path
allocates nothing per flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flagcore.domain.evaluation.matching.context import Predicate
from flagcore.domain.evaluation.model import FlagResult

__all__ = ("CompiledCondition", "CompiledFlag", "Holdout")


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """One condition set of a flag.

    Attributes:
        index: position in the stored order (the reported ``condition_index``).
        aggregation: effective group type index (``None`` = person).
        checks: the property filters as predicates that must all hold, in order (empty: no filter); shared
            between conditions with the same filters (``PropertyCompiler.conjuncts``).
        rollout: the rollout as a digest threshold (in iff ``bucket_digest(...) < rollout``, see
            :func:`~flagcore.domain.evaluation.bucketing.digest_at_or_below`); ``None`` when everyone is in (100% or
            null), so nothing is hashed.
        match: the result of a match when it needs no variant hash (boolean flag, or a variant override naming a
            declared variant), else ``None``.
        variants: for ``match is None``: digest thresholds of the flag's cumulative variant bounds, in stored
            order, each with the result of a match selecting that variant (the first threshold above the variant
            digest wins).
        no_variant: the result of a match whose variant digest is beyond every variant bound.
        out_of_rollout: result when the properties matched but the rollout did not.
        no_match: result when the properties did not match.
        no_match_groups_skipped: ``no_match`` with the description used when group conditions were skipped (the
            ``no_match`` object itself when the flag has no group condition, so that none can be skipped).
        no_group_type: result when the condition is group-aggregated and the subject has no key for that group
            (the ``out_of_rollout`` object of a person condition, which never takes that branch).
    """

    # The fields every evaluation reads come first, so that they share a cache line or two (slots are laid out in
    # this order): at thousands of flags the cost per flag is memory traffic more than instructions.
    aggregation: int | None
    checks: tuple[Predicate, ...]
    rollout: bytes | None
    match: FlagResult | None
    no_match: FlagResult
    out_of_rollout: FlagResult
    index: int
    variants: tuple[tuple[bytes, FlagResult], ...]
    no_variant: FlagResult
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
        enrolled: result when the enrollment property (or super condition) says yes (``seed`` when the flag has
            neither, so that no result is built for a branch that cannot be taken).
        not_enrolled: result when it says no (likewise).
        holdout: the holdout, if any.
        conditions: condition sets in stored order.
        early_exit: a rollout miss after matching properties ends the evaluation.
        seed: the result when no condition produced a reason (a flag without conditions).
        fixed: a result decided at compile time (missing dependency, unreadable definition), else ``None``.
        evaluation_runtime: ``"client"``, ``"server"``, ``"all"`` or ``None``.
        evaluation_contexts: the flag's evaluation context tags.
        has_preamble: ``fixed``, an enrollment, a super condition or a holdout may decide before the conditions
            (precomputed so that the common flag skips all four checks with one).
        plain_identity: neither device bucketing nor experience continuity: person conditions hash the distinct id
            unless a hash-key override is stored for the flag.
    """

    # Hot fields first (see CompiledCondition).
    has_preamble: bool = field(init=False)
    plain_identity: bool = field(init=False)
    key: str
    conditions: tuple[CompiledCondition, ...]
    seed: FlagResult
    prefix: bytes
    early_exit: bool
    flag_id: int | None
    version: int | None
    active: bool
    aggregation: int | None
    device_bucketing: bool
    continuity: bool
    enrollment_key: str | None
    super_condition: CompiledCondition | None
    super_keys: tuple[str, ...]
    enrolled: FlagResult
    not_enrolled: FlagResult
    holdout: Holdout | None
    fixed: FlagResult | None
    evaluation_runtime: str | None
    evaluation_contexts: frozenset[str]

    def __post_init__(self) -> None:
        # Derived, so they can never disagree with the fields they summarise.
        decided_early = (self.fixed, self.enrollment_key, self.super_condition, self.holdout)
        object.__setattr__(self, "has_preamble", any(part is not None for part in decided_early))
        object.__setattr__(self, "plain_identity", not self.device_bucketing and not self.continuity)

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
