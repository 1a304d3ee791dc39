"""The ``UnitOfWork`` contract (its docstrings): all or nothing, isolation, after-commit work, the project lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import NamedTuple

import pytest

from flagcore.domain.activity import ActivityDetail, ActivityEntry
from flagcore.ports.activity import ActivityLog, ActivityQuery
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.quota import QuotaLimitRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory
from flagcore.testing.contracts.flag_builders import new_flag
from flagcore.testing.contracts.ids import ORG_ID, PROJECT_ID


class Backend(NamedTuple):
    """Transactions, and the repositories of the same store seen from outside any transaction."""

    transactions: UnitOfWorkFactory
    flags: FlagRepo
    projects: ProjectRepo
    activity: ActivityLog
    quota_limits: QuotaLimitRepo
    #: The ids of an organization's own entries (no project), which the ``ActivityLog`` port does not list.
    organization_entries: Callable[[str], Awaitable[list[str]]]


T0 = datetime(2026, 3, 1, tzinfo=UTC)


def entry(entry_id: str, item_id: str = "1") -> ActivityEntry:
    return ActivityEntry(
        id=entry_id,
        organization_id=ORG_ID,
        project_id=PROJECT_ID,
        user_id=None,
        scope="FeatureFlag",
        item_id=item_id,
        activity="created",
        detail=ActivityDetail(name="k"),
        created_at=T0,
    )


async def live_keys(backend: Backend) -> list[str]:
    return [flag.key for flag in (await backend.flags.list(PROJECT_ID, FlagQuery(order="key"))).items]


async def logged(backend: Backend) -> list[str]:
    return [e.id for e in (await backend.activity.list(ActivityQuery(project_id=PROJECT_ID, limit=100))).items]


async def test_a_commit_makes_every_write_visible(backend: Backend) -> None:
    async with backend.transactions.begin() as uow:
        await uow.flags.create(new_flag("a"))
        await uow.flags.create(new_flag("b"))
        await uow.record(entry("e1"))
        await uow.commit()
    assert await live_keys(backend) == ["a", "b"]
    assert await logged(backend) == ["e1"]


async def test_leaving_without_a_commit_stores_nothing(backend: Backend) -> None:
    async with backend.transactions.begin() as uow:
        await uow.flags.create(new_flag("a"))
        await uow.record(entry("e1"))
    assert await live_keys(backend) == []
    assert await logged(backend) == []


async def test_a_failure_between_the_writes_and_the_commit_stores_nothing_and_runs_nothing(backend: Backend) -> None:
    ran: list[str] = []

    async def invalidate() -> None:
        ran.append("invalidate")

    async def write_then_fail() -> None:
        async with backend.transactions.begin() as uow:
            created = await uow.flags.create(new_flag("a"))
            await uow.flags.update(created, expected_version=1)
            await uow.record(entry("e1"))
            uow.after_commit(invalidate)
            raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        await write_then_fail()
    assert await live_keys(backend) == []
    assert await logged(backend) == []
    assert ran == []


async def test_the_unit_reads_its_own_writes_and_outsiders_do_not(backend: Backend) -> None:
    async with backend.transactions.begin() as uow:
        created = await uow.flags.create(new_flag("a"))
        assert await uow.flags.get(PROJECT_ID, created.id) == created
        assert [f.key for f in (await uow.flags.list(PROJECT_ID, FlagQuery())).items] == ["a"]
        assert await live_keys(backend) == []  # not committed yet
        await uow.commit()
    assert await live_keys(backend) == ["a"]


async def test_after_commit_actions_run_in_order_after_the_commit_and_failures_are_logged(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[object] = []

    async def first() -> None:
        seen.append(await live_keys(backend))  # the commit is visible when the action runs

    async def failing() -> None:
        raise RuntimeError("follow-up failed")

    async def last() -> None:
        seen.append("last")

    async with backend.transactions.begin() as uow:
        await uow.flags.create(new_flag("a"))
        uow.after_commit(first)
        uow.after_commit(failing)
        uow.after_commit(last)
        assert seen == []
        with caplog.at_level(logging.ERROR):
            await uow.commit()
    assert seen == [["a"], "last"]
    assert any("after-commit" in record.getMessage() for record in caplog.records)


async def test_lock_project_returns_the_project_or_none(backend: Backend) -> None:
    async with backend.transactions.begin() as uow:
        project = await uow.lock_project(PROJECT_ID)
        assert project is not None
        assert project.id == PROJECT_ID
        assert await uow.lock_project(424242) is None


async def test_units_locking_one_project_run_one_after_the_other(backend: Backend) -> None:
    order: list[str] = []
    inside = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with backend.transactions.begin() as uow:
            await uow.lock_project(PROJECT_ID)
            order.append("first in")
            inside.set()
            await release.wait()
            await uow.flags.create(new_flag("first"))
            await uow.commit()

    async def second() -> None:
        await inside.wait()
        async with backend.transactions.begin() as uow:
            await uow.lock_project(PROJECT_ID)
            order.append("second in")
            # Under the lock, the first unit's committed write is visible.
            assert "first" in [f.key for f in (await uow.flags.list(PROJECT_ID, FlagQuery())).items]
            await uow.commit()

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await inside.wait()
    await asyncio.sleep(0.2)  # the second unit is waiting for the lock
    assert order == ["first in"]
    release.set()
    async with asyncio.timeout(10):
        await asyncio.gather(*tasks)
    # The second unit got the lock only once the first had committed: it saw the first one's write (asserted inside).
    assert order == ["first in", "second in"]


async def test_a_unit_can_run_again_after_a_failed_one(backend: Backend) -> None:
    async def lock_then_fail() -> None:
        async with backend.transactions.begin() as uow:
            await uow.lock_project(PROJECT_ID)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await lock_then_fail()
    async with asyncio.timeout(5), backend.transactions.begin() as uow:  # the lock was released
        await uow.lock_project(PROJECT_ID)
        await uow.flags.create(new_flag("after"))
        await uow.commit()
    assert await live_keys(backend) == ["after"]


async def test_lock_organization_returns_the_organization_or_none(backend: Backend) -> None:
    async with backend.transactions.begin() as uow:
        organization = await uow.lock_organization(ORG_ID)
        assert organization is not None
        assert organization.id == ORG_ID
        assert await uow.lock_organization("0195f0d4-9999-7000-8000-000000000009") is None


async def test_units_locking_one_organization_run_one_after_the_other(backend: Backend) -> None:
    order: list[str] = []
    inside = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with backend.transactions.begin() as uow:
            await uow.lock_organization(ORG_ID)
            order.append("first in")
            inside.set()
            await release.wait()
            await uow.commit()

    async def second() -> None:
        await inside.wait()
        async with backend.transactions.begin() as uow:
            await uow.lock_organization(ORG_ID)
            order.append("second in")
            await uow.commit()

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await inside.wait()
    await asyncio.sleep(0.2)  # the second unit is waiting for the lock
    assert order == ["first in"]
    release.set()
    async with asyncio.timeout(10):
        await asyncio.gather(*tasks)
    assert order == ["first in", "second in"]
