"""The store of OpenFeature declarations: a flag's declared type and code default, beside the flag."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from typing import Protocol

from flagcore.domain.openfeature import FlagDeclaration


class FlagDeclarationRepo(Protocol):
    """Declarations by flag; written only through a unit of work, together with the flag write they describe."""

    @abstractmethod
    async def get_many(self, project_id: int, flag_ids: Collection[int]) -> dict[int, FlagDeclaration]:
        """The declarations of those of ``flag_ids`` that have one, by flag id (other projects' flags never match)."""
        ...

    @abstractmethod
    async def put(self, declaration: FlagDeclaration) -> None:
        """Store ``declaration``, replacing the flag's previous one if any."""
        ...
