"""Use case: the calling user's value of every flag of a project (management API ``my_flags``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.evaluation import FlagValue
from flagcore.domain.identity import Project
from flagcore.domain.snapshots import FeedFlag, feed_flags
from flagcore.ports.flag_evaluator import FlagEvaluator
from flagcore.ports.flags import FlagQuery, FlagRepo

# Every live flag in one read: the response is not paginated, as in PostHog.
_NEWEST_FIRST: Final = FlagQuery(order="-created_at", limit=2**31 - 1)


class MyFlagsCommand(msgspec.Struct, frozen=True, kw_only=True):
    project: Project
    distinct_id: str
    groups: Mapping[str, str] = msgspec.field(default_factory=dict)


class MyFlag(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the response: the flag (PostHog's minimal serializer shape) and its value for the user."""

    feature_flag: FeedFlag
    value: FlagValue


class MyFlags:
    """Every non-deleted flag of the project, newest first, with the value the evaluator gives the user."""

    def __init__(self, flags: FlagRepo, evaluator: FlagEvaluator) -> None:
        self._flags = flags
        self._evaluator = evaluator

    async def execute(self, cmd: MyFlagsCommand) -> list[MyFlag]:
        """The user's flags.

        A flag the evaluator does not report (inactive, or not evaluable) has the value ``false``; otherwise the value
        is the variant if there is one, else whether the flag is enabled.

        Raises:
            InvalidInputError: the user has no distinct id (400).
            EvaluatorUnavailableError: the evaluator failed (502).
            EvaluatorTimeoutError: the evaluator did not answer in time (504).
        """
        if not cmd.distinct_id:
            raise InvalidInputError("User distinct_id is required")
        page = await self._flags.list(cmd.project.id, _NEWEST_FIRST)
        results = await self._evaluator.evaluate(cmd.project, distinct_id=cmd.distinct_id, groups=cmd.groups)
        return [
            MyFlag(feature_flag=flag, value=result.value if (result := results.get(flag.key)) is not None else False)
            for flag in feed_flags(page.items)
        ]
