"""``RemoteEvaluator`` in process: the engine over the project's current compiled snapshot."""

from __future__ import annotations

from collections.abc import Mapping

from flagcore.domain.evaluation import CompiledSnapshot, FlagResult, Runtime, Subject
from flagcore.domain.evaluation.bucketing import truncate_distinct_id
from flagcore.domain.identity import Project
from flagcore.ports.clock import Clock
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from flagcore.ports.remote_evaluator import RemoteEvaluator, RemoteFlagResult
from flagcore.ports.snapshots import ProjectSnapshots


class LocalRemoteEvaluator(RemoteEvaluator):
    """Evaluates with the same snapshot and stored hash keys ``/flags`` uses, so both agree on the same data.

    It needs no network, so it never raises the evaluator's unavailable or timeout errors; a failing snapshot or
    hash-key store surfaces as that store's own ``BackendUnavailableError``.
    """

    def __init__(self, snapshots: ProjectSnapshots, overrides: HashKeyOverrideRepo, clock: Clock) -> None:
        self._snapshots = snapshots
        self._overrides = overrides
        self._clock = clock

    async def evaluate(
        self, project: Project, *, distinct_id: str, groups: Mapping[str, str]
    ) -> dict[str, RemoteFlagResult]:
        snapshot = await self._snapshots.compiled(project)
        subject = Subject(
            distinct_id=distinct_id,
            groups=dict(groups),
            hash_key_overrides=await self._hash_keys(project, snapshot, distinct_id),
        )
        # Runtime ALL: the HTTP adapter asks the service for every runtime too, so both see the same flags.
        results = snapshot.evaluate(subject, now=self._clock.now(), runtime=Runtime.ALL)
        return {key: _remote_result(result) for key, result in results.items()}

    async def _hash_keys(self, project: Project, snapshot: CompiledSnapshot, distinct_id: str) -> dict[str, str]:
        # Only experience-continuity flags read hash keys: without one active, the store is not asked.
        if not any(flag.active and flag.continuity for flag in snapshot.flags.values()):
            return {}
        return await self._overrides.get(project.id, [truncate_distinct_id(distinct_id)])


def _remote_result(result: FlagResult) -> RemoteFlagResult:
    return RemoteFlagResult(
        enabled=result.enabled,
        variant=result.variant,
        reason=result.reason,
        condition_index=result.condition_index,
        failed=result.failed,
    )
