"""Use case: evaluate a project's flags for one subject, as ``/flags`` and ``/decide`` do (evaluation spec §3.1, §9).

The request is authenticated by the project's public API key it carries. Flags come from the project's compiled
snapshot (through ``ProjectSnapshots``, never the flag store). A flag that fails is reported failed; the request
itself fails only for a bad request or an unreachable snapshot store, never for a flag.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import msgspec

from flagcore.domain.errors import InvalidInputError, UnauthenticatedError
from flagcore.domain.evaluation import CompiledSnapshot, FlagResult, Runtime, Subject, detect_runtime
from flagcore.domain.evaluation.bucketing import truncate_distinct_id
from flagcore.domain.identity import Project
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.snapshots import ProjectSnapshots

logger = logging.getLogger("flagcore.evaluation")

#: Reason code of experience-continuity flags when their hash keys could not be read or written (the server's).
HASH_KEY_OVERRIDE_ERROR: Final = "hash_key_override_error"
_HASH_KEY_OVERRIDE_DESCRIPTION: Final = "Failed to fetch hash key override for experience continuity"
#: Reason code of flags whose evaluation raised unexpectedly (a bug): reported failed instead of a 500.
UNEXPECTED_ERROR: Final = "internal_error"
#: How long a token lookup (hit or miss) is reused: every SDK request carries the token, and projects and their
#: tokens change rarely, so a few seconds of staleness buy one store round trip less per request.


class MissingTokenError(UnauthenticatedError):
    """The request carries no project API key."""

    code = "not_authenticated"

    def __init__(self) -> None:
        super().__init__("No API token provided. Please include a valid API token in your request.")


class InvalidTokenError(UnauthenticatedError):
    """The project API key belongs to no project."""

    code = "authentication_failed"

    def __init__(self) -> None:
        super().__init__("The provided API key is invalid or has expired. Please check your API key and try again.")


class MissingDistinctIdError(InvalidInputError):
    """The request does not say who to evaluate for."""

    code = "required"

    def __init__(self) -> None:
        super().__init__(
            "The distinct_id field is missing from the request. Please include a valid identifier.", attr="distinct_id"
        )


class EvaluateFlagsCommand(msgspec.Struct, frozen=True, kw_only=True):
    """A decoded ``/flags`` request (field meanings: evaluation spec §9).

    Attributes:
        token: the project API key (``api_key``, ``token`` or ``$token``).
        distinct_id: who to evaluate for (numbers already turned into text); ``None`` when absent.
        anon_distinct_id: ``$anon_distinct_id``: the id the person had before being identified.
        device_id: ``$device_id`` / ``device_id``, else ``person_properties.$device_id``.
        person_properties: request person properties (``$properties`` alias).
        groups: group type name to group key.
        group_properties: group type name to that group's properties.
        flag_keys: evaluate only these flags (and their dependencies); ``None`` = all.
        evaluation_contexts: the request's evaluation contexts (``evaluation_environments`` alias).
        evaluation_runtime: explicit runtime (``all``/``client``/``server``); else detected from headers.
        disable_flags: answer with no flags (clients that want only the config).
        user_agent: the ``User-Agent`` header.
        headers: request headers with lower-case names (only the presence of browser headers is read).
    """

    token: str | None
    distinct_id: str | None
    anon_distinct_id: str | None = None
    device_id: str | None = None
    person_properties: dict[str, Any] = msgspec.field(default_factory=dict)
    groups: dict[str, Any] = msgspec.field(default_factory=dict)
    group_properties: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    flag_keys: list[str] | None = None
    evaluation_contexts: list[str] | None = None
    evaluation_runtime: str | None = None
    disable_flags: bool = False
    user_agent: str | None = None
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)


class FlagsEvaluation(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of a ``/flags`` request, before it is rendered in one of the response versions.

    Attributes:
        flags: one result per evaluated flag, by its key, in evaluation order (hidden and inactive flags are
            absent).
        errors_while_computing_flags: some flag failed, flags depend on each other in a cycle, or experience
            continuity could not be honoured.
        evaluated_at: when the flags were evaluated.
    """

    flags: dict[str, FlagResult]
    errors_while_computing_flags: bool
    evaluated_at: datetime


class EvaluateFlags:
    """Authenticate by project token, then evaluate the project's snapshot for the request's subject.

    One instance serves every request of the process.
    """

    def __init__(
        self,
        projects: ProjectRepo,
        snapshots: ProjectSnapshots,
        overrides: HashKeyOverrideRepo,
        clock: Clock,
    ) -> None:
        self._projects = projects
        self._snapshots = snapshots
        self._overrides = overrides
        self._clock = clock
        # Per project: the snapshot last seen and its active experience-continuity flag keys.
        self._continuity: dict[int, tuple[CompiledSnapshot, tuple[str, ...]]] = {}

    async def execute(self, cmd: EvaluateFlagsCommand) -> FlagsEvaluation:
        """Evaluate the flags ``cmd`` asks for.

        Raises:
            MissingTokenError: no token (401).
            InvalidTokenError: the token matches no project (401).
            MissingDistinctIdError: no distinct id while flags are wanted (400).
            BackendUnavailableError: the project or its snapshot cannot be loaded (503).
        """
        if not cmd.token:
            raise MissingTokenError
        project = await self._project(cmd.token)
        if project is None:
            raise InvalidTokenError
        if cmd.disable_flags:
            return self.empty()
        if cmd.distinct_id is None:
            raise MissingDistinctIdError
        snapshot = await self._snapshots.compiled(project)
        now = self._clock.now()
        distinct_id = truncate_distinct_id(cmd.distinct_id)
        # Only projects with active experience-continuity flags touch the override store: most requests need no I/O
        # (and no coroutine) here.
        keys = self._continuity_keys(project.id, snapshot)
        overrides, continuity_failed = (
            await self._hash_key_overrides(project, keys, distinct_id, cmd) if keys else ({}, False)
        )
        subject = Subject(
            distinct_id=distinct_id,
            person_properties=cmd.person_properties,
            groups=cmd.groups,
            group_properties=cmd.group_properties,
            device_id=cmd.device_id,
            anon_distinct_id=cmd.anon_distinct_id,
            hash_key_overrides=overrides,
        )
        runtime = detect_runtime(cmd.user_agent, cmd.headers, cmd.evaluation_runtime)
        results = _evaluate(snapshot, subject, now, cmd.flag_keys, runtime, cmd.evaluation_contexts)
        if continuity_failed:
            _fail_continuity_flags(snapshot, results)
        errors = continuity_failed or snapshot.has_dependency_cycles or _any_failed(results)
        return FlagsEvaluation(flags=results, errors_while_computing_flags=errors, evaluated_at=now)

    async def _project(self, token: str) -> Project | None:
        # Credential lookups are cached (and survive a database outage) in the ProjectRepo adapter, in one place.
        return await self._projects.get_by_api_token(token)

    def empty(self) -> FlagsEvaluation:
        """No flags, stamped now: the answer to a request that wants none (``disable_flags``, a bare GET)."""
        return FlagsEvaluation(flags={}, errors_while_computing_flags=False, evaluated_at=self._clock.now())

    async def _hash_key_overrides(
        self, project: Project, keys: tuple[str, ...], distinct_id: str, cmd: EvaluateFlagsCommand
    ) -> tuple[dict[str, str], bool]:
        """The stored hash keys for the subject, writing the anonymous id's first; ``(..., True)`` if the store failed.

        Args:
            project: the project.
            keys: the keys of its active experience-continuity flags (not empty).
            distinct_id: the subject's truncated distinct id.
            cmd: the request.
        """
        anon = cmd.anon_distinct_id
        # Stored under the anonymous id truncated like any distinct id; the hash key itself is the id as sent.
        ids = [distinct_id] if not anon or anon == distinct_id else [distinct_id, truncate_distinct_id(anon)]
        try:
            if anon:
                # Insert-if-absent for every id of the person: a flag keeps the hash key it first had.
                await self._overrides.set_missing(project.id, ids, dict.fromkeys(keys, anon))
            return await self._overrides.get(project.id, ids), False
        except BackendUnavailableError:
            logger.warning("hash key override store unavailable (project %s)", project.id, exc_info=True)
            return {}, True

    def _continuity_keys(self, project_id: int, snapshot: CompiledSnapshot) -> tuple[str, ...]:
        cached = self._continuity.get(project_id)
        if cached is not None and cached[0] is snapshot:
            return cached[1]
        keys = tuple(key for key, flag in snapshot.flags.items() if flag.active and flag.continuity)
        self._continuity[project_id] = (snapshot, keys)
        return keys


def _evaluate(
    snapshot: CompiledSnapshot,
    subject: Subject,
    now: datetime,
    flag_keys: list[str] | None,
    runtime: Runtime,
    contexts: list[str] | None,
) -> dict[str, FlagResult]:
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
