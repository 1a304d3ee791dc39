"""Suggestions for the flag editor's value fields: the project's cohorts and flags (by id), as HTML datalists."""

from __future__ import annotations

from typing import Final

import msgspec

from flagcore.app.cohorts.queries import ListCohorts
from flagcore.app.flags.queries import ListFlags
from flagcore.ports.cohorts import CohortQuery
from flagcore.ports.flags import FlagQuery

#: Suggestions only (the fields take any id): a bound keeps a large project's form small.
MAX_SUGGESTIONS: Final = 200


class Choice(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    label: str


class Choices(msgspec.Struct, frozen=True, kw_only=True):
    cohorts: list[Choice]
    flags: list[Choice]


class FormChoices:
    def __init__(self, cohorts: ListCohorts, flags: ListFlags) -> None:
        self._cohorts = cohorts
        self._flags = flags

    async def execute(self, project_id: int) -> Choices:
        cohorts = await self._cohorts.execute(project_id, CohortQuery(limit=MAX_SUGGESTIONS))
        flags = await self._flags.execute(project_id, FlagQuery(order="key", limit=MAX_SUGGESTIONS))
        return Choices(
            cohorts=[Choice(id=c.id, label=c.name or f"cohort {c.id}") for c in cohorts.items],
            flags=[Choice(id=f.id, label=f.key) for f in flags.items],
        )
