"""Flag writes through the use cases on every backend: dependency rules and the write in one transaction.

Dependency rules are validated under the project's write lock against the state the write commits into, so racing
writers run one after the other and the later one sees the earlier one's result. There is no undo: a reader never
sees a state that breaks a rule, even for a moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from flagcore.adapters.crypto import FernetPayloadCipher
from flagcore.adapters.memory import FixedClock
from flagcore.adapters.snapshots import CachedProjectSnapshots, DatabaseSnapshotSource, TieredSnapshotStore
from flagcore.app.flags.bulk_delete import BulkDeleteCommand, BulkDeleteFlags
from flagcore.app.flags.changes import FlagChanges
from flagcore.app.flags.create_flag import CreateFlag, CreateFlagCommand
from flagcore.app.flags.organization import CopyFlags, CopyFlagsCommand
from flagcore.app.flags.update_flag import UpdateFlag, UpdateFlagCommand
from flagcore.domain.cohorts import Cohort, NewCohort
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import FeatureFlag, flag_dependency_ids
from flagcore.ports.activity import ActivityQuery
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.flags import FlagQuery
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.contract.seed import ORG_ID, OTHER_PROJECT_ID, PROJECT_ID
from tests.contract.unit_of_work.conftest import Backend
from tests.memory_stack import EPOCH


class _HeldFlags:
    """A unit's flag repository whose next create or update waits at ``gate`` (after the caller validated)."""

    def __init__(self, inner: Any, holder: HeldTransactions) -> None:
        self._inner = inner
        self._holder = holder

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def create(self, flag: Any) -> FeatureFlag:
        await self._holder.hold()
        return await self._inner.create(flag)  # type: ignore[no-any-return]

    async def update(self, flag: FeatureFlag, *, expected_version: int) -> FeatureFlag:
        await self._holder.hold()
        return await self._inner.update(flag, expected_version=expected_version)  # type: ignore[no-any-return]


class _HeldUnit:
    def __init__(self, inner: UnitOfWork, holder: HeldTransactions) -> None:
        self._inner = inner
        self.flags = _HeldFlags(inner.flags, holder)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class HeldTransactions(UnitOfWorkFactory):
    """Units whose flag write can be held by the test; optionally failing right before the commit."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self._inner = inner
        self.gate: asyncio.Event | None = None
        self.paused = asyncio.Event()
        self.fail_before_commit = False

    async def hold(self) -> None:
        if self.gate is not None:
            gate, self.gate = self.gate, None
            self.paused.set()
            await gate.wait()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[UnitOfWork]:
        async with self._inner.begin() as uow:
            unit = _HeldUnit(uow, self)
            if self.fail_before_commit:

                async def failing_commit() -> None:
                    raise RuntimeError("injected between the row write and the commit")

                unit.commit = failing_commit  # type: ignore[attr-defined]
            yield unit  # type: ignore[misc]


class Invalidations(CachedProjectSnapshots):
    def __init__(self, backend: Backend) -> None:
        # ``backend.projects`` also names the project, so the source builds real snapshots.
        source = DatabaseSnapshotSource(backend.flags, _NoGroupTypes(), backend.projects)
        super().__init__(TieredSnapshotStore([], source), refresh_s=0)
        self.invalidated: list[int] = []

    async def invalidate(self, project_id: int) -> None:
        self.invalidated.append(project_id)
        await super().invalidate(project_id)


class _NoGroupTypes:
    async def list(self, project_id: int) -> list[Any]:
        return []


class Writers:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.transactions = HeldTransactions(backend.transactions)
        self.snapshots = Invalidations(backend)
        clock = FixedClock(EPOCH)
        self.create_flag = CreateFlag(self.transactions, self.snapshots, clock, FernetPayloadCipher([]))
        self.update_flag = UpdateFlag(self.transactions, self.snapshots, clock, FernetPayloadCipher([]))

    async def create(self, key: str, filters: dict[str, Any] | None = None) -> FeatureFlag:
        fields = FlagChanges(key=key, filters=filters or {"groups": [{"rollout_percentage": 100}]})
        return await self.create_flag.execute(CreateFlagCommand(project_id=PROJECT_ID, user_id=None, fields=fields))

    async def update(self, flag_id: int, changes: FlagChanges) -> FeatureFlag:
        cmd = UpdateFlagCommand(project_id=PROJECT_ID, flag_id=flag_id, user_id=None, changes=changes)
        return await self.update_flag.execute(cmd)

    async def live(self) -> dict[str, FeatureFlag]:
        return {f.key: f for f in (await self.backend.flags.list(PROJECT_ID, FlagQuery(limit=1000))).items}


def depends_on(flag_id: int) -> dict[str, object]:
    prop = {"key": str(flag_id), "type": "flag", "operator": "flag_evaluates_to", "value": True}
    return {"groups": [{"properties": [prop], "rollout_percentage": 100}]}


@pytest.fixture
def writers(backend: Backend) -> Writers:
    return Writers(backend)


async def test_a_dependent_created_while_its_dependency_is_deleted_wins_and_the_delete_is_refused(
    writers: Writers,
) -> None:
    base = await writers.create("base")
    writers.transactions.gate = gate = asyncio.Event()
    child = asyncio.create_task(writers.create("child", depends_on(base.id)))
    await writers.transactions.paused.wait()  # the child validated under the lock, and is held before its write
    delete = asyncio.create_task(writers.update(base.id, FlagChanges(deleted=True)))
    await asyncio.sleep(0.2)
    assert not delete.done()  # the delete waits for the project's lock instead of validating on stale state
    gate.set()
    assert (await child).key == "child"
    with pytest.raises(InvalidInputError, match="other flags depend on it"):
        await delete
    live = await writers.live()
    assert set(live) == {"base", "child"}
    assert not live["base"].deleted


async def test_flags_made_to_depend_on_each_other_at_once_do_not_form_a_cycle(writers: Writers) -> None:
    ping = await writers.create("ping")
    pong = await writers.create("pong")
    writers.transactions.gate = gate = asyncio.Event()
    first = asyncio.create_task(writers.update(ping.id, FlagChanges(filters=depends_on(pong.id))))
    await writers.transactions.paused.wait()  # ping -> pong validated, held before its write
    second = asyncio.create_task(writers.update(pong.id, FlagChanges(filters=depends_on(ping.id))))
    await asyncio.sleep(0.2)
    assert not second.done()
    gate.set()
    assert flag_dependency_ids((await first).filters) == {pong.id}
    with pytest.raises(InvalidInputError, match="Circular dependency"):
        await second
    stored = await writers.backend.flags.get(PROJECT_ID, pong.id)
    assert stored is not None
    assert not flag_dependency_ids(stored.filters)  # pong's edit was refused, never written


async def test_a_failure_between_the_row_write_and_the_commit_leaves_no_flag_no_entry_no_invalidation(
    writers: Writers,
) -> None:
    kept = await writers.create("kept")
    writers.snapshots.invalidated.clear()
    writers.transactions.fail_before_commit = True
    with pytest.raises(RuntimeError, match="injected"):
        await writers.create("lost")
    with pytest.raises(RuntimeError, match="injected"):
        await writers.update(kept.id, FlagChanges(name="changed"))
    assert set(await writers.live()) == {"kept"}
    stored = await writers.backend.flags.get(PROJECT_ID, kept.id)
    assert stored == kept  # same name, same version
    entries = (await writers.backend.activity.list(ActivityQuery(project_id=PROJECT_ID))).items
    assert [e.activity for e in entries] == ["created"]  # only the committed create
    assert writers.snapshots.invalidated == []


async def test_every_committed_write_has_its_entry_and_its_invalidation(writers: Writers) -> None:
    flag = await writers.create("audited")
    await writers.update(flag.id, FlagChanges(active=False))
    await writers.update(flag.id, FlagChanges(deleted=True))
    await writers.update(flag.id, FlagChanges(deleted=False))
    entries = (await writers.backend.activity.list(ActivityQuery(project_id=PROJECT_ID))).items
    assert [e.activity for e in entries] == ["restored", "deleted", "updated", "created"]
    assert entries[2].detail.changes[0].field == "active"
    assert writers.snapshots.invalidated == [PROJECT_ID] * 4


def _broken_rules(live: dict[str, FeatureFlag]) -> list[str]:
    """Active flags depending on a missing (deleted), disabled or cyclic flag, in a consistent view."""
    by_id = {f.id: f for f in live.values()}
    broken = []
    for flag in live.values():
        if not flag.active:
            continue
        for dep in flag_dependency_ids(flag.filters):
            target = by_id.get(dep)
            if target is None or not target.active:
                broken.append(f"{flag.key} -> {dep}")
    # cycles among live flags
    state: dict[int, int] = {}

    def visit(node: int) -> bool:
        if state.get(node) == 1:
            return False
        if state.get(node) == 2 or node not in by_id:
            return True
        state[node] = 1
        ok = all(visit(dep) for dep in flag_dependency_ids(by_id[node].filters))
        state[node] = 2
        return ok

    broken += [f"cycle at {node}" for node in by_id if not visit(node)]
    return broken


async def test_no_reader_ever_sees_a_flag_depending_on_a_deleted_disabled_or_cyclic_flag(writers: Writers) -> None:
    flags = [await writers.create(f"f{index}") for index in range(6)]
    ids = [flag.id for flag in flags]
    rng = random.Random(1)
    seen: list[str] = []
    done = asyncio.Event()

    async def writer() -> None:
        for _ in range(25):
            target, other = rng.sample(ids, 2)
            change = rng.choice(
                [
                    FlagChanges(filters=depends_on(other)),
                    FlagChanges(filters={"groups": [{"rollout_percentage": 100}]}),
                    FlagChanges(active=False),
                    FlagChanges(active=True),
                    FlagChanges(deleted=True),
                    FlagChanges(deleted=False),
                ]
            )
            with contextlib.suppress(InvalidInputError):  # refused writes are the rules working
                await writers.update(target, change)

    async def reader() -> None:
        while not done.is_set():
            seen.extend(_broken_rules(await writers.live()))
            await asyncio.sleep(0)

    watching = asyncio.create_task(reader())
    async with asyncio.timeout(120):
        await asyncio.gather(*(writer() for _ in range(4)))
    done.set()
    await watching
    assert seen == []
    assert _broken_rules(await writers.live()) == []


async def test_a_bulk_delete_commits_every_flag_and_entry_together_or_nothing(writers: Writers) -> None:
    clock = FixedClock(EPOCH)
    bulk = BulkDeleteFlags(writers.transactions, writers.snapshots, clock)
    first = await writers.create("first")
    second = await writers.create("second")
    writers.snapshots.invalidated.clear()
    writers.transactions.fail_before_commit = True
    with pytest.raises(RuntimeError, match="injected"):
        await bulk.execute(BulkDeleteCommand(project_id=PROJECT_ID, user_id=None, ids=[first.id, second.id]))
    assert set(await writers.live()) == {"first", "second"}
    entries = (await writers.backend.activity.list(ActivityQuery(project_id=PROJECT_ID))).items
    assert [e.activity for e in entries] == ["created", "created"]
    assert writers.snapshots.invalidated == []
    writers.transactions.fail_before_commit = False
    result = await bulk.execute(BulkDeleteCommand(project_id=PROJECT_ID, user_id=None, ids=[first.id, second.id]))
    assert sorted(d.key for d in result.deleted) == ["first", "second"]
    assert await writers.live() == {}
    entries = (await writers.backend.activity.list(ActivityQuery(project_id=PROJECT_ID))).items
    assert [e.activity for e in entries] == ["deleted", "deleted", "created", "created"]
    assert writers.snapshots.invalidated == [PROJECT_ID]


class _LiveCohorts:
    """The source side of copy_flags reads live cohorts only; here through a unit of the backend under test."""

    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def live(self, project_id: int) -> list[Cohort]:
        async with self._transactions.begin() as uow:
            return await uow.cohorts.live(project_id)


async def test_a_copy_failing_before_its_commit_leaves_no_cohort_in_the_target(writers: Writers) -> None:
    backend = writers.backend
    async with backend.transactions.begin() as uow:
        pro = await uow.cohorts.create(
            NewCohort(project_id=PROJECT_ID, name="Pro", filters={"properties": {}}, created_at=EPOCH)
        )
        await uow.commit()
    condition = {"properties": [{"key": "id", "type": "cohort", "value": pro.id}], "rollout_percentage": 100}
    await writers.create("for-pro", {"groups": [condition]})
    copy = CopyFlags(
        writers.transactions,
        backend.projects,
        backend.flags,
        cast("CohortRepo", _LiveCohorts(backend.transactions)),
        writers.create_flag,
        writers.update_flag,
        FernetPayloadCipher([]),
        FixedClock(EPOCH),
    )
    cmd = CopyFlagsCommand(
        organization_id=ORG_ID, user_id=1, key="for-pro", from_project=PROJECT_ID, target_project_ids=[OTHER_PROJECT_ID]
    )
    writers.transactions.fail_before_commit = True
    with pytest.raises(RuntimeError, match="injected"):
        await copy.execute(cmd)
    assert await _LiveCohorts(backend.transactions).live(OTHER_PROJECT_ID) == []
    assert await backend.flags.get_by_key(OTHER_PROJECT_ID, "for-pro") is None
    writers.transactions.fail_before_commit = False
    result = await copy.execute(cmd)
    [carried] = await _LiveCohorts(backend.transactions).live(OTHER_PROJECT_ID)
    assert carried.name == "Pro"
    assert [c.value for g in result.success[0].filters.groups for c in g.properties] == [carried.id]
