"""Use case: apply a batch of queued events to persons and groups (persons spec §1.6), in one transaction.

Events are applied in queue order, so the updates of one person keep their order. ``$feature_flag_called`` events
are tallied per flag and day and recorded with one usage write per batch, in the batch's transaction (so a retried
batch does not count twice). If the batch fails as a whole
(one event the database refuses), each event is re-applied in a transaction of its own, so one bad event costs only
itself; it is logged and skipped.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import datetime

import msgspec

from flagcore.domain.errors import FlagcoreError
from flagcore.domain.flags.usage import FlagCall, called_at, tally
from flagcore.domain.groups import GroupTypeLimitError
from flagcore.domain.persons import (
    EventPlan,
    Group,
    GroupUpdate,
    IngestEvent,
    Merge,
    MergeOutcome,
    NewPerson,
    Person,
    PropertyOps,
    apply_ops,
    is_illegal_distinct_id,
    merge_outcome,
    merged_properties,
    plan_event,
)
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger("flagcore.ingestion")


class IngestResult(msgspec.Struct, frozen=True, kw_only=True):
    applied: int
    failed: int


class IngestEvents:
    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock

    async def execute(self, events: Sequence[IngestEvent]) -> IngestResult:
        """Apply ``events`` in order.

        Raises:
            BackendUnavailableError: the store is down (nothing of the batch was applied; the caller retries).
        """
        try:
            await self._apply_all(events)
        except BackendUnavailableError:
            raise
        except FlagcoreError:
            return await self._one_by_one(events)
        return IngestResult(applied=len(events), failed=0)

    async def _one_by_one(self, events: Sequence[IngestEvent]) -> IngestResult:
        failed = 0
        for event in events:
            try:
                await self._apply_all([event])
            except BackendUnavailableError:
                raise
            except FlagcoreError as exc:
                failed += 1
                logger.warning("event %r of project %s skipped: %s", event.event, event.project_id, exc.detail)
        return IngestResult(applied=len(events) - failed, failed=failed)

    async def _apply_all(self, events: Sequence[IngestEvent]) -> None:
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            calls: list[FlagCall] = []
            for event in events:
                plan = plan_event(event)
                await self._apply(uow, event, plan, now)
                if plan.flag_called is not None:
                    at = called_at(event.timestamp, now=now)
                    calls.append(FlagCall(project_id=event.project_id, flag_key=plan.flag_called.flag_key, at=at))
            if calls:
                await uow.flag_usage.record(tally(calls))
            await uow.commit()

    async def _apply(self, uow: UnitOfWork, event: IngestEvent, plan: EventPlan, now: datetime) -> None:
        if plan.group is not None:
            await self._group(uow, event.project_id, plan.group, now)
        if plan.person_ops is None:
            return
        if plan.merge is not None:
            await self._merge(uow, event.project_id, plan.merge, plan.person_ops, now)
        else:
            await _update_person(uow, event.project_id, plan, now)

    async def _group(self, uow: UnitOfWork, project_id: int, update: GroupUpdate, now: datetime) -> None:
        known = {t.group_type: t for t in await uow.group_types.list(project_id)}
        group_type = known.get(update.group_type)
        if group_type is None:
            try:
                group_type = await uow.group_types.ensure(project_id, update.group_type, created_at=now)
            except GroupTypeLimitError:
                return  # PostHog silently skips groups of a sixth type
            # The group type mapping is part of the project's snapshots.
            uow.after_commit(functools.partial(self._snapshots.invalidate, project_id))
        index = group_type.group_type_index
        current = await uow.groups.get(project_id, index, update.group_key)
        properties = {**(current.properties if current else {}), **update.properties}
        if current is not None and properties == current.properties:
            return
        await uow.groups.upsert(
            Group(
                project_id=project_id,
                group_type_index=index,
                group_key=update.group_key,
                properties=properties,
                created_at=now,
            )
        )

    async def _merge(self, uow: UnitOfWork, project_id: int, merge: Merge, ops: PropertyOps, now: datetime) -> None:
        found = await uow.persons.by_distinct_ids(project_id, [merge.other, merge.into])
        other, into = found.get(merge.other), found.get(merge.into)
        illegal = is_illegal_distinct_id(merge.other) or is_illegal_distinct_id(merge.into)
        outcome = merge_outcome(merge.other, merge.into, other, into, dangerous=merge.dangerous, illegal=illegal)
        if outcome is MergeOutcome.CREATE:
            await uow.persons.create(
                NewPerson(
                    project_id=project_id,
                    distinct_ids=(merge.into, merge.other),
                    properties=apply_ops({}, ops),
                    is_identified=True,
                    created_at=now,
                )
            )
        elif outcome is MergeOutcome.ADD_OTHER and into is not None:
            await _identify(uow, await uow.persons.add_distinct_id(into, merge.other), ops)
        elif outcome is MergeOutcome.ADD_INTO and other is not None:
            await _identify(uow, await uow.persons.add_distinct_id(other, merge.into), ops)
        elif outcome is MergeOutcome.MERGE and other is not None and into is not None:
            properties = apply_ops(merged_properties(other, into), ops)
            await uow.cohorts.move_memberships(other.id, into.id)
            await uow.persons.merge(other, into, properties=properties, version=max(other.version, into.version) + 1)
        else:  # nothing to merge, or refused: the event still updates its own person
            await _update_person(uow, project_id, EventPlan(distinct_id=merge.into, person_ops=ops), now)


async def _identify(uow: UnitOfWork, person: Person, ops: PropertyOps) -> None:
    await uow.persons.update(person, properties=apply_ops(person.properties, ops), is_identified=True)


async def _update_person(uow: UnitOfWork, project_id: int, plan: EventPlan, now: datetime) -> None:
    ops = plan.person_ops or PropertyOps()
    person = await uow.persons.by_distinct_id(project_id, plan.distinct_id)
    if person is None:
        await uow.persons.create(
            NewPerson(
                project_id=project_id,
                distinct_ids=(plan.distinct_id,),
                properties=apply_ops({}, ops),
                created_at=now,
            )
        )
        return
    properties = apply_ops(person.properties, ops)
    if properties != person.properties:
        await uow.persons.update(person, properties=properties, is_identified=person.is_identified)
