"""Use case: "test a user" in the admin UI: every flag of a project for a distinct id and given properties.

The same path as ``/flags``: the project's compiled snapshot, the stored person (its properties and static cohorts)
completed with the properties given, then the evaluation pipeline; only no quota is counted (nobody is served).
"""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.app.evaluation.pipeline import EvaluationPipeline, EvaluationRequest
from flagcore.app.evaluation.stored_properties import StoredProperties
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.evaluation import FlagResult
from flagcore.domain.identity import Project
from flagcore.ports.snapshots import ProjectSnapshots


class PreviewFlagsCommand(msgspec.Struct, frozen=True, kw_only=True):
    project: Project
    distinct_id: str
    person_properties: dict[str, Any] = msgspec.field(default_factory=dict)
    groups: dict[str, str] = msgspec.field(default_factory=dict)


class PreviewFlags:
    def __init__(self, snapshots: ProjectSnapshots, pipeline: EvaluationPipeline, stored: StoredProperties) -> None:
        self._snapshots = snapshots
        self._pipeline = pipeline
        self._stored = stored

    async def execute(self, cmd: PreviewFlagsCommand) -> list[FlagResult]:
        """Each active flag's result, by key.

        Raises:
            InvalidInputError: an empty distinct id (attr ``distinct_id``).
        """
        if not cmd.distinct_id.strip():
            raise InvalidInputError("This field is required.", code="required", attr="distinct_id")
        snapshot = await self._snapshots.compiled(cmd.project)
        request = EvaluationRequest(
            distinct_id=cmd.distinct_id, person_properties=dict(cmd.person_properties), groups=dict(cmd.groups)
        )
        subject = await self._stored.complete(cmd.project.id, snapshot, request, only_overrides=False)
        evaluation = await self._pipeline.evaluate(cmd.project.id, snapshot, subject.request)
        return sorted(evaluation.flags.values(), key=lambda result: result.key)
