"""Use case: a project's manifest (``GET /openfeature/v0/manifest``): its live flags as OpenFeature flags."""

from __future__ import annotations

from typing import Final

from flagcore.domain.identity import ProjectNotFoundError
from flagcore.domain.openfeature import ManifestFlag, manifest_entry
from flagcore.ports.flags import FlagQuery
from flagcore.ports.unit_of_work import UnitOfWorkFactory

# Every live flag in one read; a pull writes them in a stable order.
_ALL_OLDEST_FIRST: Final = FlagQuery(order="created_at", limit=2**31 - 1)


class GetManifest:
    """The project's non-archived flags with their declared (or inferred) type and default."""

    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project_id: int) -> list[ManifestFlag]:
        """The manifest, read in one transaction so flags and declarations agree.

        Raises:
            ProjectNotFoundError: the project does not exist.
        """
        async with self._transactions.begin() as uow:
            if await uow.projects.get(project_id) is None:
                raise ProjectNotFoundError
            # Oldest first, ties (one sync creates many flags at one instant) in creation order.
            flags = sorted((await uow.flags.list(project_id, _ALL_OLDEST_FIRST)).items, key=lambda f: f.id)
            declarations = await uow.flag_declarations.get_many(project_id, [flag.id for flag in flags])
        return [manifest_entry(flag, declarations.get(flag.id)) for flag in flags]
