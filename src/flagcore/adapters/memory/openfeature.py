"""In-memory ``FlagDeclarationRepo``."""

from __future__ import annotations

from collections.abc import Collection

from flagcore.domain.openfeature import FlagDeclaration
from flagcore.ports.openfeature import FlagDeclarationRepo


class MemoryFlagDeclarationRepo(FlagDeclarationRepo):
    def __init__(self) -> None:
        self._declarations: dict[tuple[int, int], FlagDeclaration] = {}

    def fork(self) -> MemoryFlagDeclarationRepo:
        fork = MemoryFlagDeclarationRepo()
        fork._declarations = dict(self._declarations)
        return fork

    def adopt(self, fork: MemoryFlagDeclarationRepo) -> None:
        self._declarations = fork._declarations

    async def get_many(self, project_id: int, flag_ids: Collection[int]) -> dict[int, FlagDeclaration]:
        return {
            flag_id: found
            for flag_id in flag_ids
            if (found := self._declarations.get((project_id, flag_id))) is not None
        }

    async def put(self, declaration: FlagDeclaration) -> None:
        self._declarations[declaration.project_id, declaration.flag_id] = declaration
