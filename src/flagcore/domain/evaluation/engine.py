"""Flag-level evaluation order (spec §3.1): enrollment, holdout, then conditions in stored order.

This is the hot path. It reads only the compiled flag and a per-subject :class:`SubjectState`, returns one of the
results built at compile time, and hashes at most twice per condition it reaches (rollout, then variant). Digests
are compared with compiled digest thresholds rather than turned into floats (``bucketing.digest_at_or_below``), and
the common flag (no enrollment, holdout or fixed result; hashing the distinct id) takes the shortest path; both
matter because this runs for every flag of every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import sha1
from typing import Any, Final

from flagcore.domain.evaluation.bucketing import VARIANT_SALT, ZERO_DIGEST, bucket_digest, holdout_hash
from flagcore.domain.evaluation.compiled import CompiledCondition, CompiledFlag
from flagcore.domain.evaluation.matching.context import MatchInput
from flagcore.domain.evaluation.model import FlagResult, Reason

__all__ = ("SubjectState", "evaluate_flag")

_ABSENT: Final = object()
_OUT_OF_ROLLOUT: Final = Reason.OUT_OF_ROLLOUT_BOUND.value
_NO_CONDITION_MATCH: Final = Reason.NO_CONDITION_MATCH.value
_NO_GROUP_TYPE: Final = Reason.NO_GROUP_TYPE.value


class SubjectState:
    """What the engine derives once per subject and reuses for every flag.

    Attributes:
        match_input: the input of property predicates (its ``flag_values`` fill up as flags are evaluated).
        distinct_id: the truncated distinct id, UTF-8.
        device_id: the device id, UTF-8, or ``None`` when absent or empty.
        anon_distinct_id: the request's ``$anon_distinct_id``, UTF-8, or ``None``.
        hash_key_overrides: stored experience-continuity hash keys by flag key.
        group_keys: group type index to the group key, UTF-8, only for usable keys (non-empty strings, numbers).
    """

    __slots__ = ("anon_distinct_id", "device_id", "distinct_id", "group_keys", "hash_key_overrides", "match_input")

    def __init__(
        self,
        *,
        match_input: MatchInput,
        distinct_id: bytes,
        device_id: bytes | None,
        anon_distinct_id: bytes | None,
        hash_key_overrides: Mapping[str, str],
        group_keys: Mapping[int, bytes],
    ) -> None:
        self.match_input = match_input
        self.distinct_id = distinct_id
        self.device_id = device_id
        self.anon_distinct_id = anon_distinct_id
        self.hash_key_overrides = hash_key_overrides
        self.group_keys = group_keys


# One function on purpose: helpers for the condition loop would add Python calls for every flag of every request.
def evaluate_flag(flag: CompiledFlag, state: SubjectState) -> FlagResult:  # noqa: C901, PLR0912
    """Evaluate one active flag for one subject, as the server's v1 matcher does.

    Args:
        flag: the compiled flag (its dependencies already evaluated into ``state.match_input.flag_values``).
        state: the subject.

    Returns:
        The flag's result.

    Raises:
        PropertyMatchError: a property predicate could not be evaluated (the caller reports the flag as failed).
    """
    if flag.has_preamble:
        decided = _preamble(flag, state)
        if decided is not None:
            return decided
    # The common flag hashes the distinct id; anything else (device bucketing, continuity, a stored override)
    # takes the call. ``None``: person conditions cannot be bucketed (device bucketing without a device id).
    if flag.plain_identity and not state.hash_key_overrides:
        person: bytes | None = state.distinct_id
    else:
        person = _condition_person(flag, state)
    match_input = state.match_input
    best: CompiledCondition | None = None
    best_score = _NO_GROUP_TYPE
    best_result = flag.seed
    groups_skipped = False
    hashed: bytes | None = None  # the identifier ``digest`` is the rollout digest of
    digest = ZERO_DIGEST
    for condition in flag.conditions:
        aggregation = condition.aggregation
        identifier = person if aggregation is None else state.group_keys.get(aggregation)
        if identifier is None:
            # The server skips conditions it cannot bucket: a group condition without a group key, or a person
            # condition of a device-bucketed flag without a device id (reported as a rollout miss).
            if aggregation is None:
                score, result = _OUT_OF_ROLLOUT, condition.out_of_rollout
            else:
                groups_skipped = True
                score, result = _NO_GROUP_TYPE, condition.no_group_type
        else:
            # The AND of the filters, looped here rather than in a closure per condition (see compiled.py).
            for check in condition.checks:
                if not check(match_input):
                    score, result = _NO_CONDITION_MATCH, condition.no_match
                    break
            else:
                rollout = condition.rollout
                if rollout is not None and identifier is not hashed:
                    # bucket_digest inlined (it is the hottest call), once per identifier: conditions bucketing the
                    # same identifier share the digest, as a rollout miss often moves on to another condition.
                    hashed = identifier
                    digest = (
                        sha1(flag.prefix + identifier, usedforsecurity=False).digest() if identifier else ZERO_DIGEST
                    )
                if rollout is None or digest < rollout:
                    match = condition.match
                    return match if match is not None else _select_variant(flag, condition, identifier)
                if flag.early_exit:
                    return condition.out_of_rollout
                score, result = _OUT_OF_ROLLOUT, condition.out_of_rollout
        # Equal scores replace: among equal reasons the last condition wins, as on the server.
        if score >= best_score:
            best, best_score, best_result = condition, score, result
    if groups_skipped and best is not None and best_score == _NO_CONDITION_MATCH:
        return best.no_match_groups_skipped
    return best_result


def _preamble(flag: CompiledFlag, state: SubjectState) -> FlagResult | None:
    if flag.fixed is not None:
        return flag.fixed
    enrollment = _enrollment(flag, state)
    if enrollment is not None:
        return enrollment
    holdout = flag.holdout
    if holdout is not None and (
        holdout.threshold is None or holdout_hash(_holdout_identifier(flag, state)) <= holdout.threshold
    ):
        return holdout.result
    return None


def _enrollment(flag: CompiledFlag, state: SubjectState) -> FlagResult | None:
    properties = state.match_input.person_properties
    if flag.enrollment_key is not None:
        value: Any = properties.get(flag.enrollment_key, _ABSENT)
        if value is _ABSENT:
            return None  # the server falls through to the conditions
        return flag.enrolled if value is True or value == "true" else flag.not_enrolled
    condition = flag.super_condition
    if condition is None or not any(key in properties for key in flag.super_keys):
        return None
    match_input = state.match_input
    if not all(check(match_input) for check in condition.checks):
        return flag.not_enrolled
    rollout = condition.rollout
    if rollout is not None and bucket_digest(flag.prefix, _person_identifier(flag, state)) >= rollout:
        return flag.not_enrolled
    return flag.enrolled


def _person_identifier(flag: CompiledFlag, state: SubjectState) -> bytes:
    # Server priority: device id (device bucketing) > stored hash-key override > $anon_distinct_id for
    # experience-continuity flags > distinct id.
    if flag.device_bucketing and state.device_id is not None:
        return state.device_id
    override = state.hash_key_overrides.get(flag.key)
    if override is not None:
        return override.encode()
    if flag.continuity and state.anon_distinct_id is not None:
        return state.anon_distinct_id
    return state.distinct_id


def _holdout_identifier(flag: CompiledFlag, state: SubjectState) -> bytes:
    # Holdouts hash at the flag-level aggregation and ignore stored hash-key overrides.
    if flag.aggregation is not None:
        return state.group_keys.get(flag.aggregation, b"")
    if flag.device_bucketing and state.device_id is not None:
        return state.device_id
    if flag.continuity and state.anon_distinct_id is not None:
        return state.anon_distinct_id
    return state.distinct_id


def _condition_person(flag: CompiledFlag, state: SubjectState) -> bytes | None:
    """What the flag's person conditions hash, the same for all of them; ``None`` when they cannot be bucketed."""
    if flag.device_bucketing and state.device_id is None:
        return None
    return _person_identifier(flag, state)


def _select_variant(flag: CompiledFlag, condition: CompiledCondition, identifier: bytes) -> FlagResult:
    digest = bucket_digest(flag.prefix, identifier, VARIANT_SALT)
    for threshold, result in condition.variants:
        if digest < threshold:
            return result
    return condition.no_variant
