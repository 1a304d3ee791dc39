"""Wire shapes of ``scheduled_changes/`` (PostHog's ``ScheduledChangeSerializer`` fields, persons spec §6.2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import msgspec

from flagcore.app.http.management.schemas import UserBasic
from flagcore.domain.identity import User
from flagcore.domain.scheduled_changes import RecurrenceInterval, ScheduledChange, formatted_failure_reason
from flagcore.ports.identity import UserRepo


class ScheduledChangeOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    team_id: int
    record_id: str
    model_name: str
    payload: dict[str, Any]
    scheduled_at: datetime
    executed_at: datetime | None
    #: The last failure and what became of the change, e.g. "... (will retry automatically, 4 attempts remaining)".
    failure_reason: str | None
    created_at: datetime
    updated_at: datetime
    created_by: UserBasic | None
    is_recurring: bool
    recurrence_interval: RecurrenceInterval | None
    cron_expression: str | None
    last_executed_at: datetime | None
    end_date: datetime | None
    timezone: str | None


class ScheduledChangeList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None
    previous: str | None
    results: list[ScheduledChangeOut]


async def present(changes: Iterable[ScheduledChange], users: UserRepo) -> list[ScheduledChangeOut]:
    """The changes for the wire, their creators looked up once each."""
    changes = list(changes)
    found: dict[int, User] = {}
    for user_id in {c.created_by_id for c in changes if c.created_by_id is not None}:
        user = await users.get(user_id)
        if user is not None:
            found[user_id] = user
    return [_out(c, found) for c in changes]


def _out(change: ScheduledChange, users: dict[int, User]) -> ScheduledChangeOut:
    creator = users.get(change.created_by_id) if change.created_by_id is not None else None
    return ScheduledChangeOut(
        id=change.id,
        team_id=change.project_id,
        record_id=change.record_id,
        model_name=change.model_name,
        payload=change.payload,
        scheduled_at=change.scheduled_at,
        executed_at=change.executed_at,
        failure_reason=formatted_failure_reason(change.failure_reason),
        created_at=change.created_at,
        updated_at=change.updated_at,
        created_by=UserBasic.of(creator) if creator is not None else None,
        is_recurring=change.is_recurring,
        recurrence_interval=change.recurrence_interval,
        cron_expression=change.cron_expression,
        last_executed_at=change.last_executed_at,
        end_date=change.end_date,
        timezone=change.timezone,
    )
