"""The one evaluation pipeline: compiled snapshot -> hash-key overrides -> engine -> results (evaluation spec §3.1).

``/flags`` and ``/decide``, the in-process ``FlagEvaluator`` (``my_flags``, ``evaluation_reasons``) and the
``flagcore evaluate`` command all evaluate through it, so experience continuity behaves the same everywhere: the
anonymous id's hash keys are written when a request carries one, stored hash keys are read for the subject, and when
the hash-key store cannot be reached the continuity flags are reported failed (never evaluated on the wrong id).
A flag that fails is reported failed; evaluation as a whole never fails for a flag.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Final

import msgspec

from flagcore.domain.evaluation import CompiledSnapshot, FlagResult, Runtime, Subject
from flagcore.domain.evaluation.bucketing import truncate_distinct_id
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo

logger = logging.getLogger("flagcore.evaluation")

#: Reason code of experience-continuity flags when their hash keys could not be read or written (the server's).
HASH_KEY_OVERRIDE_ERROR: Final = "hash_key_override_error"
_HASH_KEY_OVERRIDE_DESCRIPTION: Final = "Failed to fetch hash key override for experience continuity"
#: Reason code of flags whose evaluation raised unexpectedly (a bug): reported failed instead of a 500.
UNEXPECTED_ERROR: Final = "internal_error"


class EvaluationRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Who to evaluate for, and which flags.

    Attributes:
        distinct_id: the subject (truncated to the server's 200 code points by the pipeline).
        anon_distinct_id: ``$anon_distinct_id``: the id the person had before being identified.
        device_id: the device id, for flags bucketing by device.
        person_properties: properties to match person conditions on.
        groups: group type name to group key.
        group_properties: group type name to that group's properties.
        flag_keys: evaluate only these flags (and their dependencies); ``None`` = all.
        runtime: the caller's runtime (flags of another runtime are omitted).
        evaluation_contexts: the request's evaluation contexts (``None``: no filtering).
        static_cohorts: ids of the static cohorts the person belongs to (from the cohort store).
    """

    distinct_id: str
    anon_distinct_id: str | None = None
    device_id: str | None = None
    person_properties: dict[str, Any] = msgspec.field(default_factory=dict)
    groups: dict[str, Any] = msgspec.field(default_factory=dict)
    group_properties: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    flag_keys: list[str] | None = None
    runtime: Runtime = Runtime.ALL
    evaluation_contexts: list[str] | None = None
    static_cohorts: frozenset[int] = frozenset()


class FlagsEvaluation(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of an evaluation, before it is rendered.

    Attributes:
        flags: one result per evaluated flag, by its key, in evaluation order (hidden and inactive flags are
            absent).
        errors_while_computing_flags: some flag failed, flags depend on each other in a cycle, or experience
            continuity could not be honoured.
        evaluated_at: when the flags were evaluated.
        quota_limited: the products the organization's quota limits (``("feature_flags",)``: no flags evaluated).
    """

    flags: dict[str, FlagResult]
    errors_while_computing_flags: bool
    evaluated_at: datetime
    quota_limited: tuple[str, ...] = ()


class EvaluationPipeline:
    """Evaluates a compiled snapshot for one subject. One instance serves every request of the process."""

    def __init__(self, overrides: HashKeyOverrideRepo, clock: Clock) -> None:
        self._overrides = overrides
        self._clock = clock
        # Per project: the snapshot last seen and its active experience-continuity flag keys.
        self._continuity: dict[int, tuple[CompiledSnapshot, tuple[str, ...]]] = {}

    def empty(self) -> FlagsEvaluation:
        """No flags, stamped now: the answer to a request that wants none."""
        return FlagsEvaluation(flags={}, errors_while_computing_flags=False, evaluated_at=self._clock.now())

    async def evaluate(
        self, project_id: int, snapshot: CompiledSnapshot, request: EvaluationRequest, *, now: datetime | None = None
    ) -> FlagsEvaluation:
        """Evaluate ``snapshot`` (the project's) for ``request`` at ``now`` (default: the clock's time)."""
        now = now or self._clock.now()
        distinct_id = truncate_distinct_id(request.distinct_id)
        # Only projects with active experience-continuity flags touch the override store: most requests need no I/O
        # (and no coroutine) here.
        keys = self._continuity_keys(project_id, snapshot)
        overrides, continuity_failed = (
            await self._hash_key_overrides(project_id, keys, distinct_id, request.anon_distinct_id)
            if keys
            else ({}, False)
        )
        subject = Subject(
            distinct_id=distinct_id,
            person_properties=request.person_properties,
            groups=request.groups,
            group_properties=request.group_properties,
            device_id=request.device_id,
            anon_distinct_id=request.anon_distinct_id,
            hash_key_overrides=overrides,
            static_cohorts=request.static_cohorts,
        )
        results = _evaluate(snapshot, subject, now, request)
        if continuity_failed:
            _fail_continuity_flags(snapshot, results)
        errors = continuity_failed or snapshot.has_dependency_cycles or _any_failed(results)
        return FlagsEvaluation(flags=results, errors_while_computing_flags=errors, evaluated_at=now)

    async def _hash_key_overrides(
        self, project_id: int, keys: tuple[str, ...], distinct_id: str, anon: str | None
    ) -> tuple[dict[str, str], bool]:
        """The stored hash keys for the subject, writing the anonymous id's first; ``(..., True)`` if the store failed.

        Args:
            project_id: the project.
            keys: the keys of its active experience-continuity flags (not empty).
            distinct_id: the subject's truncated distinct id.
            anon: the anonymous id the request carries, if any.
        """
        # Stored under the anonymous id truncated like any distinct id; the hash key itself is the id as sent.
        ids = [distinct_id] if not anon or anon == distinct_id else [distinct_id, truncate_distinct_id(anon)]
        try:
            if anon:
                # Insert-if-absent for every id of the person: a flag keeps the hash key it first had.
                await self._overrides.set_missing(project_id, ids, dict.fromkeys(keys, anon))
            return await self._overrides.get(project_id, ids), False
        except BackendUnavailableError:
            logger.warning("hash key override store unavailable (project %s)", project_id, exc_info=True)
            return {}, True

    def _continuity_keys(self, project_id: int, snapshot: CompiledSnapshot) -> tuple[str, ...]:
        cached = self._continuity.get(project_id)
        if cached is not None and cached[0] is snapshot:
            return cached[1]
        keys = tuple(key for key, flag in snapshot.flags.items() if flag.active and flag.continuity)
        self._continuity[project_id] = (snapshot, keys)
        return keys


def _evaluate(
    snapshot: CompiledSnapshot, subject: Subject, now: datetime, request: EvaluationRequest
) -> dict[str, FlagResult]:
    flag_keys, runtime, contexts = request.flag_keys, request.runtime, request.evaluation_contexts
    try:
        return snapshot.evaluate(subject, now=now, flag_keys=flag_keys, runtime=runtime, evaluation_contexts=contexts)
    # The engine fails single flags on bad data itself; anything escaping it is a bug, and a bug in one request
    # must not become a 500 for the SDK: every flag of the request is reported failed, and the bug is logged.
    except Exception:
        logger.exception("flag evaluation failed unexpectedly")
        plan = snapshot.plan(flag_keys, runtime, contexts)
        return {flag.key: flag.failure(UNEXPECTED_ERROR) for flag in plan.flags}


def _any_failed(results: dict[str, FlagResult]) -> bool:
    # A plain loop over the error codes: a generator over the ``failed`` property costs several times as much, for
    # every flag of every request.
    for result in results.values():  # noqa: SIM110
        if result.error_code is not None:
            return True
    return False


def _fail_continuity_flags(snapshot: CompiledSnapshot, results: dict[str, FlagResult]) -> None:
    # Without its stored hash key an experience-continuity flag could flip the person's variant, so the server
    # reports it failed (the SDK then falls back) rather than evaluating it on the wrong identifier.
    for key, result in results.items():
        flag = snapshot.flags[key]
        if flag.continuity and not result.failed:
            failure = flag.failure(HASH_KEY_OVERRIDE_ERROR)
            results[key] = msgspec.structs.replace(failure, description=_HASH_KEY_OVERRIDE_DESCRIPTION)
