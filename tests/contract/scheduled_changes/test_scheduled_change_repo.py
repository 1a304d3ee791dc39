"""The ``ScheduledChangeRepo`` contract: storage, listing, and claims that hand each due change to one runner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from flagcore.domain.scheduled_changes import FailureReason, NewScheduledChange, ScheduledChange
from flagcore.ports.scheduled_changes import ScheduledChangeQuery
from tests.contract.scheduled_changes.conftest import Store
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
STATUS = {"operation": "update_status", "value": True}


def new(**fields: Any) -> NewScheduledChange:
    base: dict[str, Any] = {
        "project_id": PROJECT_ID,
        "record_id": "7",
        "model_name": "FeatureFlag",
        "payload": STATUS,
        "scheduled_at": NOW - timedelta(minutes=1),
        "created_at": NOW - timedelta(hours=1),
        "created_by_id": 1,
        "is_recurring": False,
        "recurrence_interval": None,
        "cron_expression": None,
        "end_date": None,
        "timezone": "Europe/Paris",
    }
    return NewScheduledChange(**(base | fields))


async def create(store: Store, **fields: Any) -> ScheduledChange:
    async with store.transactions.begin() as uow:
        made = await uow.scheduled_changes.create(new(**fields))
        await uow.commit()
    return made


async def test_a_created_change_reads_back_with_its_fields(store: Store) -> None:
    made = await create(store, payload={"operation": "update_variants", "value": {"variants": [{"key": "a"}]}})
    assert made.id > 0
    assert (made.updated_at, made.failure_count, made.executed_at) == (made.created_at, 0, None)
    assert await store.changes.get(PROJECT_ID, made.id) == made
    assert await store.changes.get(OTHER_PROJECT_ID, made.id) is None
    assert await store.changes.get(PROJECT_ID, made.id + 1000) is None


async def test_save_replaces_every_field_but_the_project(store: Store) -> None:
    made = await create(store)
    reason = FailureReason(error="boom", error_type="X", will_retry=True, retry_count=1)
    changed = msgspec.structs.replace(
        made,
        project_id=OTHER_PROJECT_ID,
        failure_count=1,
        failure_reason=reason,
        retry_after=NOW,
        is_recurring=True,
        cron_expression="0 9 * * *",
        last_executed_at=NOW,
        end_date=NOW + timedelta(days=1),
        updated_at=NOW,
        payload={"operation": "update_status", "value": False},
    )
    async with store.transactions.begin() as uow:
        await uow.scheduled_changes.save(changed)
        await uow.commit()
    assert await store.changes.get(PROJECT_ID, made.id) == msgspec.structs.replace(changed, project_id=PROJECT_ID)


async def test_list_filters_exactly_and_pages_newest_first(store: Store) -> None:
    first = await create(store, record_id="7")
    second = await create(store, record_id="8", created_at=NOW)
    third = await create(store, record_id="7", created_at=NOW + timedelta(seconds=1))
    await create(store, project_id=OTHER_PROJECT_ID)
    page = await store.changes.list(PROJECT_ID, ScheduledChangeQuery())
    assert (page.count, [c.id for c in page.items]) == (3, [third.id, second.id, first.id])
    by_record = await store.changes.list(PROJECT_ID, ScheduledChangeQuery(record_id="7"))
    assert [c.id for c in by_record.items] == [third.id, first.id]
    assert (await store.changes.list(PROJECT_ID, ScheduledChangeQuery(record_id="70"))).count == 0
    assert (await store.changes.list(PROJECT_ID, ScheduledChangeQuery(model_name="Survey"))).count == 0
    assert (await store.changes.list(PROJECT_ID, ScheduledChangeQuery(model_name="FeatureFlag"))).count == 3
    paged = await store.changes.list(PROJECT_ID, ScheduledChangeQuery(limit=1, offset=1))
    assert (paged.count, [c.id for c in paged.items]) == (3, [second.id])


async def test_delete_removes_only_the_projects_change(store: Store) -> None:
    made = await create(store)
    async with store.transactions.begin() as uow:
        assert not await uow.scheduled_changes.delete(OTHER_PROJECT_ID, made.id)
        assert await uow.scheduled_changes.delete(PROJECT_ID, made.id)
        await uow.commit()
    assert await store.changes.get(PROJECT_ID, made.id) is None


async def test_lock_reads_the_projects_change(store: Store) -> None:
    made = await create(store)
    async with store.transactions.begin() as uow:
        assert await uow.scheduled_changes.lock(PROJECT_ID, made.id) == made
        assert await uow.scheduled_changes.lock(OTHER_PROJECT_ID, made.id) is None


async def test_claim_returns_due_changes_oldest_first_up_to_the_limit(store: Store) -> None:
    late = await create(store, scheduled_at=NOW - timedelta(minutes=1))
    early = await create(store, scheduled_at=NOW - timedelta(minutes=5), project_id=OTHER_PROJECT_ID)
    exact = await create(store, scheduled_at=NOW)
    await create(store, scheduled_at=NOW + timedelta(seconds=1))  # not yet
    await create(store, recurrence_interval="daily")  # paused: not recurring, recurrence kept
    retrying = await create(store)
    done = await create(store)
    async with store.transactions.begin() as uow:
        await uow.scheduled_changes.save(msgspec.structs.replace(retrying, retry_after=NOW + timedelta(seconds=1)))
        await uow.scheduled_changes.save(msgspec.structs.replace(done, executed_at=NOW))
        await uow.commit()
    async with store.transactions.begin() as uow:
        claimed = await uow.scheduled_changes.claim_due(NOW, limit=10)
        assert [c.id for c in claimed] == [early.id, late.id, exact.id]
        assert [c.id for c in await uow.scheduled_changes.claim_due(NOW, limit=2)] == [early.id, late.id]
    async with store.transactions.begin() as uow:
        later = await uow.scheduled_changes.claim_due(NOW + timedelta(seconds=1), limit=10)
    assert {c.id for c in later} >= {retrying.id}


async def test_a_claim_not_committed_leaves_the_change_due(store: Store) -> None:
    made = await create(store)
    async with store.transactions.begin() as uow:
        (claimed,) = await uow.scheduled_changes.claim_due(NOW, limit=10)
        await uow.scheduled_changes.save(msgspec.structs.replace(claimed, executed_at=NOW))
    async with store.transactions.begin() as uow:
        assert [c.id for c in await uow.scheduled_changes.claim_due(NOW, limit=10)] == [made.id]


async def test_two_concurrent_claimers_get_disjoint_changes(store: Store) -> None:
    made = {(await create(store, scheduled_at=NOW - timedelta(seconds=i))).id for i in range(6)}
    started = asyncio.Event()

    async def claimer(first: bool) -> set[int]:
        if not first:
            await started.wait()  # the first claimer holds its changes now (where the store allows overlap)
        async with store.transactions.begin() as uow:
            claimed = await uow.scheduled_changes.claim_due(NOW, limit=3)
            if first:
                started.set()
                await asyncio.sleep(0.1)
            for change in claimed:
                await uow.scheduled_changes.save(msgspec.structs.replace(change, executed_at=NOW))
            await uow.commit()
        return {c.id for c in claimed}

    a, b = await asyncio.gather(claimer(first=True), claimer(first=False))
    assert len(a) == len(b) == 3
    assert not a & b
    assert a | b == made
