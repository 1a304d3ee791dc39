"""``FlagEvaluator`` in process: the evaluation pipeline over the project's current compiled snapshot."""

from __future__ import annotations

from collections.abc import Mapping

from flagcore.app.evaluation.pipeline import EvaluationPipeline, EvaluationRequest
from flagcore.domain.evaluation import FlagResult
from flagcore.domain.identity import Project
from flagcore.ports.flag_evaluator import EvaluatedFlag, FlagEvaluator
from flagcore.ports.snapshots import ProjectSnapshots


class InProcessFlagEvaluator(FlagEvaluator):
    """Evaluates with the same snapshot, stored hash keys and pipeline as ``/flags``, so both agree on the same data.

    It needs no network, so it never raises the evaluator's unavailable or timeout errors; a failing snapshot store
    surfaces as its own ``BackendUnavailableError``, and a failing hash-key store fails the continuity flags only.
    """

    def __init__(self, snapshots: ProjectSnapshots, pipeline: EvaluationPipeline) -> None:
        self._snapshots = snapshots
        self._pipeline = pipeline

    async def evaluate(
        self, project: Project, *, distinct_id: str, groups: Mapping[str, str]
    ) -> dict[str, EvaluatedFlag]:
        snapshot = await self._snapshots.compiled(project)
        # Runtime ALL (the default): the HTTP adapter asks the service for every runtime too, so both see the same.
        request = EvaluationRequest(distinct_id=distinct_id, groups=dict(groups))
        evaluation = await self._pipeline.evaluate(project.id, snapshot, request)
        return {key: _evaluated(result) for key, result in evaluation.flags.items()}


def _evaluated(result: FlagResult) -> EvaluatedFlag:
    return EvaluatedFlag(
        enabled=result.enabled,
        variant=result.variant,
        reason=result.reason,
        condition_index=result.condition_index,
        failed=result.failed,
    )
