"""Use case: a project's local-evaluation definitions, as encoded bytes with an ETag."""

from __future__ import annotations

from flagcore.domain.identity import Project
from flagcore.domain.snapshots import EncodedSnapshot
from flagcore.ports.snapshots import ProjectSnapshots


class LoadDefinitions:
    """The definitions feed of a project, from wherever ``ProjectSnapshots`` keeps it."""

    def __init__(self, snapshots: ProjectSnapshots) -> None:
        self._snapshots = snapshots

    async def execute(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        """The encoded feed; ``with_cohorts`` asks for the ``cohorts`` map (no cohort store exists yet: empty)."""
        return await self._snapshots.definitions(project, with_cohorts=with_cohorts)
