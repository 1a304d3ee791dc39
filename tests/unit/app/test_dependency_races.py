"""Dependency rules under concurrent writes, made deterministic: one writer is held between its validation and its
write while the other completes. Without the post-write check both writes would succeed and break a rule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from flagcore.adapters.memory import FixedClock, MemoryFlagRepo, MemoryGroupTypeRepo, MemoryProjectRepo, MemoryUserRepo
from flagcore.adapters.snapshots import CachedProjectSnapshots, DatabaseSnapshotCache
from flagcore.app.flags.changes import FlagChanges
from flagcore.app.flags.create_flag import CreateFlag, CreateFlagCommand
from flagcore.app.flags.update_flag import UpdateFlag, UpdateFlagCommand
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import FeatureFlag, NewFlag, flag_dependency_ids
from flagcore.ports.flags import FlagQuery

PROJECT = 1
NOW = datetime(2025, 1, 1, tzinfo=UTC)


class HeldFlagRepo(MemoryFlagRepo):
    """Holds the next create or update at ``gate`` (after its caller validated) and signals ``paused``."""

    def __init__(self) -> None:
        super().__init__()
        self.gate: asyncio.Event | None = None
        self.paused = asyncio.Event()

    async def _hold(self) -> None:
        if self.gate is not None:
            gate, self.gate = self.gate, None
            self.paused.set()
            await gate.wait()

    async def create(self, flag: NewFlag) -> FeatureFlag:
        await self._hold()
        return await super().create(flag)

    async def update(self, flag: FeatureFlag, *, expected_version: int) -> FeatureFlag:
        await self._hold()
        return await super().update(flag, expected_version=expected_version)


def depends_on(flag_id: int) -> dict[str, object]:
    prop = {"key": str(flag_id), "type": "flag", "operator": "flag_evaluates_to", "value": True}
    return {"groups": [{"properties": [prop], "rollout_percentage": 100}]}


@pytest.fixture
def repo() -> HeldFlagRepo:
    return HeldFlagRepo()


def snapshots(repo: HeldFlagRepo) -> CachedProjectSnapshots:
    return CachedProjectSnapshots(DatabaseSnapshotCache(repo, MemoryGroupTypeRepo(), MemoryProjectRepo()))


@pytest.fixture
def create_flag(repo: HeldFlagRepo) -> CreateFlag:
    return CreateFlag(repo, snapshots(repo), FixedClock(NOW))


@pytest.fixture
def update_flag(repo: HeldFlagRepo) -> UpdateFlag:
    return UpdateFlag(repo, MemoryUserRepo(), snapshots(repo), FixedClock(NOW))


async def create(use_case: CreateFlag, key: str, filters: dict[str, object] | None = None) -> FeatureFlag:
    fields = FlagChanges(key=key, filters=filters or {"groups": [{"rollout_percentage": 100}]})
    return await use_case.execute(CreateFlagCommand(project_id=PROJECT, user_id=None, fields=fields))


async def update(use_case: UpdateFlag, flag_id: int, changes: FlagChanges) -> FeatureFlag:
    return await use_case.execute(UpdateFlagCommand(project_id=PROJECT, flag_id=flag_id, user_id=None, changes=changes))


async def test_a_dependent_created_while_its_dependency_is_deleted_is_undone(
    repo: HeldFlagRepo, create_flag: CreateFlag, update_flag: UpdateFlag
) -> None:
    base = await create(create_flag, "base")
    repo.gate = gate = asyncio.Event()
    child = asyncio.create_task(create(create_flag, "child", depends_on(base.id)))
    await repo.paused.wait()  # the child passed validation while base was live
    deleted = await update(update_flag, base.id, FlagChanges(deleted=True))  # no dependent exists yet: allowed
    assert deleted.deleted
    gate.set()
    with pytest.raises(InvalidInputError, match="non-existent flag"):
        await child
    live = {f.key for f in (await repo.list(PROJECT, FlagQuery())).items}
    assert "child" not in live  # the child's write was undone: no live flag depends on a deleted one


async def test_flags_made_to_depend_on_each_other_at_once_do_not_form_a_cycle(
    repo: HeldFlagRepo, create_flag: CreateFlag, update_flag: UpdateFlag
) -> None:
    ping = await create(create_flag, "ping")
    pong = await create(create_flag, "pong")
    repo.gate = gate = asyncio.Event()
    first = asyncio.create_task(update(update_flag, ping.id, FlagChanges(filters=depends_on(pong.id))))
    await repo.paused.wait()  # ping -> pong validated while pong depended on nothing
    await update(update_flag, pong.id, FlagChanges(filters=depends_on(ping.id)))  # pong -> ping: still acyclic
    gate.set()
    with pytest.raises(InvalidInputError, match="Circular dependency"):
        await first
    stored = await repo.get(PROJECT, ping.id)
    assert stored is not None
    assert not flag_dependency_ids(stored.filters)  # ping's edit was undone
