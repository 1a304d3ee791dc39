"""Use case: evaluate a project's flags for one subject, as ``/flags`` and ``/decide`` do (evaluation spec §3.1, §9).

The request is authenticated by the project's public API key it carries. Flags come from the project's compiled
snapshot (through ``ProjectSnapshots``, never the flag store) and are evaluated by the ``EvaluationPipeline``. The
request fails only for a bad request or an unreachable snapshot store, never for a flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from flagcore.app.evaluation.pipeline import EvaluationPipeline, EvaluationRequest, FlagsEvaluation
from flagcore.app.evaluation.stored_properties import StoredProperties
from flagcore.app.quota.serving import ServingQuota
from flagcore.domain.errors import InvalidInputError, UnauthenticatedError
from flagcore.domain.evaluation import detect_runtime
from flagcore.domain.quota import Product
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.snapshots import ProjectSnapshots

__all__ = (
    "EvaluateFlags",
    "EvaluateFlagsCommand",
    "FlagsEvaluation",
    "InvalidTokenError",
    "MissingDistinctIdError",
    "MissingTokenError",
)


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
        only_override_person_properties: ``?only_use_override_person_properties``: ignore stored person properties.
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
    only_override_person_properties: bool = False
    user_agent: str | None = None
    headers: Mapping[str, str] = msgspec.field(default_factory=dict)


class EvaluateFlags:
    """Authenticate by project token, then evaluate the project's snapshot for the request's subject.

    One instance serves every request of the process.
    """

    def __init__(
        self,
        projects: ProjectRepo,
        snapshots: ProjectSnapshots,
        pipeline: EvaluationPipeline,
        stored: StoredProperties,
        quota: ServingQuota | None = None,
    ) -> None:
        self._projects = projects
        self._snapshots = snapshots
        self._pipeline = pipeline
        self._quota = quota
        self._stored = stored

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
        # Credential lookups are cached (and survive a database outage) in the ProjectRepo adapter, in one place.
        project = await self._projects.get_by_api_token(cmd.token)
        if project is None:
            raise InvalidTokenError
        if cmd.disable_flags:
            return self.empty()
        if cmd.distinct_id is None:
            raise MissingDistinctIdError
        # From process memory (refreshed every few seconds): no round trip; counted only when served.
        if self._quota is not None and await self._quota.flags_request(project):
            return msgspec.structs.replace(self.empty(), quota_limited=(Product.FEATURE_FLAGS.value,))
        snapshot = await self._snapshots.compiled(project)
        request = EvaluationRequest(
            distinct_id=cmd.distinct_id,
            anon_distinct_id=cmd.anon_distinct_id,
            device_id=cmd.device_id,
            person_properties=cmd.person_properties,
            groups=cmd.groups,
            group_properties=cmd.group_properties,
            flag_keys=cmd.flag_keys,
            runtime=detect_runtime(cmd.user_agent, cmd.headers, cmd.evaluation_runtime),
            evaluation_contexts=cmd.evaluation_contexts,
        )
        subject = await self._stored.complete(
            project.id, snapshot, request, only_overrides=cmd.only_override_person_properties
        )
        evaluation = await self._pipeline.evaluate(project.id, snapshot, subject.request)
        if subject.failed:
            return msgspec.structs.replace(evaluation, errors_while_computing_flags=True)
        return evaluation

    def empty(self) -> FlagsEvaluation:
        """No flags, stamped now: the answer to a request that wants none (``disable_flags``, a bare GET)."""
        return self._pipeline.empty()
