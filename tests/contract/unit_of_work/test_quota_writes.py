"""Quota limits in the unit of work (memory, SQLite, PostgreSQL), and ``SetQuota`` as one transaction with its
activity entry: a failure after the limit's write leaves neither the limit nor the entry."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import pytest

from flagcore.adapters.memory import FixedClock
from flagcore.adapters.memory.quota import MemoryUsageCounters
from flagcore.app.identity.authorize import OrganizationNotFoundError
from flagcore.app.quota.accounting import UsageAccounting
from flagcore.app.quota.gate import QuotaGate
from flagcore.app.quota.manage import SetQuota, SetQuotaCommand
from flagcore.domain.activity import ActivityEntry
from flagcore.domain.quota import QuotaLimit, Resource
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.contract.seed import ORG_ID
from tests.contract.unit_of_work.conftest import Backend
from tests.contract.unit_of_work.test_unit_of_work import entry, logged

T0 = datetime(2026, 3, 10, 12, tzinfo=UTC)
RESOURCE = Resource.FEATURE_FLAG_REQUESTS


def limit(value: int | None) -> QuotaLimit:
    return QuotaLimit(organization_id=ORG_ID, limit=value, grace_period_days=0, updated_at=T0)


async def test_a_limit_put_in_a_unit_is_visible_after_its_commit_only(backend: Backend) -> None:
    async with backend.transactions.begin() as uow:
        await uow.quota_limits.put(limit(5))
        assert await uow.quota_limits.get(ORG_ID, RESOURCE) == limit(5)  # its own write
        assert await backend.quota_limits.get(ORG_ID, RESOURCE) is None  # outsiders: not yet
        await uow.record(entry("e1"))
        await uow.commit()
    assert await backend.quota_limits.get(ORG_ID, RESOURCE) == limit(5)
    assert await logged(backend) == ["e1"]


async def test_a_failure_after_the_limit_write_stores_neither_the_limit_nor_the_entry(backend: Backend) -> None:
    async with backend.transactions.begin() as uow:
        await uow.quota_limits.put(limit(5))
        await uow.commit()

    async def write_then_fail() -> None:
        async with backend.transactions.begin() as uow:
            await uow.quota_limits.put(limit(1))
            await uow.record(entry("e1"))
            raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        await write_then_fail()
    assert await backend.quota_limits.get(ORG_ID, RESOURCE) == limit(5)
    assert await logged(backend) == []


class _FailingRecord:
    """A unit of work whose ``record`` fails after writing: the failure comes after the limit's write."""

    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def record(self, entry: ActivityEntry) -> None:
        await self._inner.record(entry)
        raise RuntimeError("injected")


class _FailingFactory(UnitOfWorkFactory):
    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self._inner = inner

    @contextlib.asynccontextmanager
    async def _begin(self) -> AsyncIterator[UnitOfWork]:
        async with self._inner.begin() as uow:
            yield _FailingRecord(uow)  # type: ignore[misc]

    def begin(self) -> AbstractAsyncContextManager[UnitOfWork]:
        return self._begin()


def _gate(backend: Backend) -> QuotaGate:
    clock = FixedClock(T0)
    counters = MemoryUsageCounters()
    return QuotaGate(backend.quota_limits, counters, UsageAccounting(counters, clock, flush_s=60), clock, check_s=60)


def _set_quota(transactions: UnitOfWorkFactory, gate: QuotaGate) -> SetQuota:
    return SetQuota(transactions, gate, FixedClock(T0))


async def test_set_quota_commits_the_limit_and_one_organization_entry_then_forgets_the_cached_answer(
    backend: Backend,
) -> None:
    gate = _gate(backend)
    assert await gate.limited(ORG_ID) is False
    assert gate.cached(ORG_ID) is False  # the answer other requests would be served for a minute
    status = await _set_quota(backend.transactions, gate).execute(
        SetQuotaCommand(organization_id=ORG_ID, limit=7, grace_period_days=1)
    )
    assert status.limit == 7
    stored = await backend.quota_limits.get(ORG_ID, RESOURCE)
    assert stored is not None
    assert (stored.limit, stored.grace_period_days) == (7, 1)
    assert len(await backend.organization_entries(ORG_ID)) == 1
    assert gate.cached(ORG_ID) is None  # forgotten after the commit: the next check reads the new limit


async def test_set_quota_failing_after_the_write_leaves_neither_the_limit_nor_the_entry(backend: Backend) -> None:
    gate = _gate(backend)
    assert await gate.limited(ORG_ID) is False
    with pytest.raises(RuntimeError, match="injected"):
        await _set_quota(_FailingFactory(backend.transactions), gate).execute(
            SetQuotaCommand(organization_id=ORG_ID, limit=7)
        )
    assert await backend.quota_limits.get(ORG_ID, RESOURCE) is None
    assert await backend.organization_entries(ORG_ID) == []
    assert gate.cached(ORG_ID) is False  # nothing changed, so the after-commit work never ran


async def test_set_quota_on_a_missing_organization_writes_nothing(backend: Backend) -> None:
    with pytest.raises(OrganizationNotFoundError):
        await _set_quota(backend.transactions, _gate(backend)).execute(
            SetQuotaCommand(organization_id="missing", limit=7)
        )
    assert await backend.quota_limits.get("missing", RESOURCE) is None
