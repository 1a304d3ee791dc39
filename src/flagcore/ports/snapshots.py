"""A project's snapshots: the encoded definitions feed and the compiled evaluation snapshot."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from flagcore.domain.evaluation import CompiledSnapshot
from flagcore.domain.identity import Project
from flagcore.domain.snapshots import EncodedSnapshot


class ProjectSnapshots(Protocol):
    """Where serving paths get a project's current flag definitions, never from the flag store directly.

    Implementations decide how fresh and how cached the snapshots are (the tiered cache is one of them).
    """

    @abstractmethod
    async def definitions(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        """The local-evaluation feed of the project (flags sorted by key, deleted excluded, inactive included)."""
        ...

    @abstractmethod
    async def compiled(self, project: Project) -> CompiledSnapshot:
        """The project's definitions compiled for evaluation in the project's timezone.

        Compiling is costly: implementations reuse the compiled snapshot while the definitions' ETag is unchanged.
        """
        ...

    @abstractmethod
    async def invalidate(self, project_id: int) -> None:
        """Forget anything cached for the project: called after a committed write that changes its snapshot.

        After it returns, this process serves the new snapshot (read-your-writes on the writing instance).
        """
        ...
