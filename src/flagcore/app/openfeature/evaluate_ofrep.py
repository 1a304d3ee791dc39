"""Use case: OFREP evaluation (``/ofrep/v1/evaluate/flags[/{key}]``) through the one ``EvaluationPipeline``.

Authenticated by the project API key, evaluated on the project's compiled snapshot exactly as ``/flags`` is; only
the request (an OpenFeature context) and the result (OFREP values and reasons) are translated. The single-flag
endpoint serves server SDKs (dynamic context), the bulk endpoint client SDKs (static context), so each evaluates
with that runtime and a flag restricted to the other runtime is not found.

Each request counts 1 unit against the organization's quota, as a ``/flags`` request does (the same
``ServingQuota``); a limited organization's bulk request gets no flags, its single request ``QuotaLimitedError``.
"""

from __future__ import annotations

from typing import Any

from flagcore.app.evaluation.evaluate_flags import InvalidTokenError, MissingTokenError
from flagcore.app.evaluation.pipeline import EvaluationPipeline, EvaluationRequest
from flagcore.app.quota.serving import ServingQuota
from flagcore.domain.evaluation import CompiledSnapshot, Runtime
from flagcore.domain.identity import Project
from flagcore.domain.openfeature.ofrep import OfrepContext, OfrepEvaluation, evaluation, parse_context
from flagcore.domain.quota import QuotaLimitedError
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.snapshots import ProjectSnapshots


class EvaluateOfrep:
    """One instance serves every request of the process."""

    def __init__(
        self, projects: ProjectRepo, snapshots: ProjectSnapshots, pipeline: EvaluationPipeline, quota: ServingQuota
    ) -> None:
        self._projects = projects
        self._snapshots = snapshots
        self._pipeline = pipeline
        self._quota = quota

    async def authenticate(self, token: str | None) -> Project:
        """The project whose API key ``token`` is.

        Raises:
            MissingTokenError: no token (401).
            InvalidTokenError: no project has it (401).
        """
        if not token:
            raise MissingTokenError
        project = await self._projects.get_by_api_token(token)
        if project is None:
            raise InvalidTokenError
        return project

    async def single(self, project: Project, key: str, body: Any) -> OfrepEvaluation:  # noqa: ANN401 - JSON body
        """One flag's evaluation (a failure, such as ``FLAG_NOT_FOUND``, is a result too).

        Raises:
            OfrepRequestError: the body or its context is unusable (400).
            QuotaLimitedError: the project's organization is quota limited (402, OFREP ``GENERAL``).
            BackendUnavailableError: the snapshot cannot be loaded (503).
        """
        context = parse_context(body)
        # A request refused as unusable above is not counted, as on /flags; a limited one is not either.
        if await self._quota.flags_request(project):
            raise QuotaLimitedError
        snapshot = await self._snapshots.compiled(project)
        flag = snapshot.flags.get(key)
        if flag is None or not flag.active:
            return evaluation(key, flag, None)
        results = await self._evaluate(project, snapshot, context, [key], Runtime.SERVER)
        return evaluation(key, flag, results.get(key))

    async def bulk(self, project: Project, body: Any) -> list[OfrepEvaluation]:  # noqa: ANN401 - JSON body
        """Every flag the client runtime sees, active or not, in evaluation order; none when quota limited.

        Raises:
            OfrepRequestError: the body or its context is unusable (400).
            BackendUnavailableError: the snapshot cannot be loaded (503).
        """
        context = parse_context(body)
        if await self._quota.flags_request(project):
            return []  # as /flags answers a limited organization: 200 with no flags (the SDK serves its defaults)
        snapshot = await self._snapshots.compiled(project)
        results = await self._evaluate(project, snapshot, context, None, Runtime.CLIENT)
        return [
            evaluation(key, flag, results.get(key))
            for key, flag in snapshot.flags.items()
            if key in results or not flag.active
        ]

    async def _evaluate(
        self,
        project: Project,
        snapshot: CompiledSnapshot,
        context: OfrepContext,
        flag_keys: list[str] | None,
        runtime: Runtime,
    ) -> dict[str, Any]:
        request = EvaluationRequest(
            distinct_id=context.targeting_key,
            person_properties=context.person_properties,
            groups=context.groups,
            group_properties=context.group_properties,
            flag_keys=flag_keys,
            runtime=runtime,
        )
        return (await self._pipeline.evaluate(project.id, snapshot, request)).flags
