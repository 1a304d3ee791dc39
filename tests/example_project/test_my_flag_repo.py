"""An adapter author's test: their ``FlagRepo`` runs flagcore's contract suite, exactly the tests ours pass.

The adapter here counts the calls it forwards to a store (think: a caching or metrics decorator); a real one
would talk to another database. Only the ``flag_repo`` fixture is the author's.
"""

from __future__ import annotations

from collections import Counter

import pytest

from flagcore.adapters.memory import MemoryFlagRepo
from flagcore.domain.flags import DependencyInfo, FeatureFlag, NewFlag
from flagcore.ports.flags import FlagPage, FlagQuery, FlagRepo
from flagcore.testing.contracts.flag_repo import *  # noqa: F403 - the suite's tests, collected here


class CountingFlagRepo(FlagRepo):
    def __init__(self, inner: FlagRepo) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    async def get(self, project_id: int, flag_id: int) -> FeatureFlag | None:
        self.calls["get"] += 1
        return await self.inner.get(project_id, flag_id)

    async def get_by_key(self, project_id: int, key: str) -> FeatureFlag | None:
        self.calls["get_by_key"] += 1
        return await self.inner.get_by_key(project_id, key)

    async def list(self, project_id: int, query: FlagQuery) -> FlagPage:
        self.calls["list"] += 1
        return await self.inner.list(project_id, query)

    async def create(self, flag: NewFlag) -> FeatureFlag:
        self.calls["create"] += 1
        return await self.inner.create(flag)

    async def update(self, flag: FeatureFlag, *, expected_version: int) -> FeatureFlag:
        self.calls["update"] += 1
        return await self.inner.update(flag, expected_version=expected_version)

    async def soft_delete(self, project_id: int, flag_id: int, *, expected_version: int) -> FeatureFlag:
        self.calls["soft_delete"] += 1
        return await self.inner.soft_delete(project_id, flag_id, expected_version=expected_version)

    async def has_encrypted_payloads(self) -> bool:
        return await self.inner.has_encrypted_payloads()

    async def dependency_view(self, project_id: int) -> dict[int, DependencyInfo]:
        return await self.inner.dependency_view(project_id)


@pytest.fixture
def flag_repo() -> FlagRepo:
    return CountingFlagRepo(MemoryFlagRepo())
