"""Use case: why each flag of a project has its value for a distinct id (management API ``evaluation_reasons``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.evaluation import FlagValue
from flagcore.domain.identity import Project
from flagcore.ports.flag_evaluator import EvaluatedFlag, FlagEvaluator
from flagcore.ports.flags import FlagQuery, FlagRepo

_INACTIVE: Final = FlagQuery(active=False, order="key", limit=2**31 - 1)


class EvaluationReasonsCommand(msgspec.Struct, frozen=True, kw_only=True):
    project: Project
    distinct_id: str
    groups: Mapping[str, str] = msgspec.field(default_factory=dict)


class Evaluation(msgspec.Struct, frozen=True, kw_only=True):
    reason: str
    condition_index: int | None


class FlagReason(msgspec.Struct, frozen=True, kw_only=True):
    value: FlagValue
    evaluation: Evaluation


#: What PostHog reports for a disabled flag, whatever the evaluator said (it does not evaluate them).
DISABLED: Final = FlagReason(value=False, evaluation=Evaluation(reason="disabled", condition_index=None))


class EvaluationReasons:
    """Each evaluated flag's value and reason for one distinct id; every disabled flag is reported as ``disabled``."""

    def __init__(self, flags: FlagRepo, evaluator: FlagEvaluator) -> None:
        self._flags = flags
        self._evaluator = evaluator

    async def execute(self, cmd: EvaluationReasonsCommand) -> dict[str, FlagReason]:
        """Reasons by flag key: the evaluator's flags, then the project's disabled non-deleted flags.

        Raises:
            InvalidInputError: ``distinct_id`` is missing or empty (400 ``required``, attr ``distinct_id``).
            EvaluatorUnavailableError: the evaluator failed (502).
            EvaluatorTimeoutError: the evaluator did not answer in time (504).
        """
        if not cmd.distinct_id:
            raise InvalidInputError("This field is required.", code="required", attr="distinct_id")
        results = await self._evaluator.evaluate(cmd.project, distinct_id=cmd.distinct_id, groups=cmd.groups)
        reasons = {key: _reason(result) for key, result in results.items()}
        for flag in (await self._flags.list(cmd.project.id, _INACTIVE)).items:
            reasons[flag.key] = DISABLED
        return reasons


def _reason(result: EvaluatedFlag) -> FlagReason:
    return FlagReason(
        value=result.value, evaluation=Evaluation(reason=result.reason, condition_index=result.condition_index)
    )
