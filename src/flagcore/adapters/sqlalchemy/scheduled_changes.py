"""SQL ``ScheduledChangeRepo`` (SQLite and PostgreSQL).

``claim_due`` locks the due rows it returns: on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so runners of several
instances never wait for each other and never get the same row while its claimer's transaction lasts; on SQLite a
unit of work already holds the database's single write lock (``BEGIN IMMEDIATE``), so nothing else runs meanwhile.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_scheduled_changes import ScheduledChangeRow
from flagcore.domain.scheduled_changes import FailureReason, NewScheduledChange, ScheduledChange
from flagcore.ports.scheduled_changes import ScheduledChangePage, ScheduledChangeQuery, ScheduledChangeRepo

_ROW = ScheduledChangeRow
_FIELDS = tuple(name for name in ScheduledChange.__struct_fields__ if name not in ("id", "failure_reason"))


def _change(row: ScheduledChangeRow) -> ScheduledChange:
    values: dict[str, Any] = {name: getattr(row, name) for name in _FIELDS}
    reason = msgspec.convert(row.failure_reason, FailureReason) if row.failure_reason is not None else None
    return msgspec.convert(values | {"id": row.id, "failure_reason": reason}, ScheduledChange)


def _values(change: ScheduledChange | NewScheduledChange) -> dict[str, Any]:
    values = msgspec.structs.asdict(change)
    reason = values.get("failure_reason")
    values["failure_reason"] = msgspec.to_builtins(reason) if reason is not None else None
    values["payload"] = dict(change.payload)
    return values


class SqlScheduledChangeRepo(ScheduledChangeRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def create(self, change: NewScheduledChange) -> ScheduledChange:
        row = ScheduledChangeRow(**_values(change), updated_at=change.created_at, failure_count=0)
        with backend_errors():
            async with self._session() as session:
                session.add(row)
                await session.flush()
                return _change(row)

    async def get(self, project_id: int, change_id: int) -> ScheduledChange | None:
        return await self._one(project_id, change_id, lock=False)

    async def lock(self, project_id: int, change_id: int) -> ScheduledChange | None:
        return await self._one(project_id, change_id, lock=True)

    async def _one(self, project_id: int, change_id: int, *, lock: bool) -> ScheduledChange | None:
        stmt = sa.select(_ROW).where(_ROW.id == change_id, _ROW.project_id == project_id)
        with backend_errors():
            async with self._session() as session:
                if lock and session.get_bind().dialect.name != "sqlite":  # SQLite: the unit holds the write lock
                    stmt = stmt.with_for_update()
                row = await session.scalar(stmt.execution_options(populate_existing=True))
                return _change(row) if row is not None else None

    async def list(self, project_id: int, query: ScheduledChangeQuery) -> ScheduledChangePage:
        where = [_ROW.project_id == project_id]
        if query.model_name is not None:
            where.append(_ROW.model_name == query.model_name)
        if query.record_id is not None:
            where.append(_ROW.record_id == query.record_id)
        page = (
            sa.select(_ROW)
            .where(*where)
            .order_by(_ROW.created_at.desc(), _ROW.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        with backend_errors():
            async with self._session() as session:
                count = await session.scalar(sa.select(sa.func.count()).select_from(_ROW).where(*where))
                rows = (await session.scalars(page)).all()
                return ScheduledChangePage(count=int(count or 0), items=[_change(r) for r in rows])

    async def save(self, change: ScheduledChange) -> ScheduledChange:
        values = _values(change)
        del values["id"], values["project_id"]
        stmt = sa.update(_ROW).where(_ROW.id == change.id).values(values)
        with backend_errors():
            async with self._session() as session:
                await session.execute(stmt.execution_options(synchronize_session=False))
        return change

    async def delete(self, project_id: int, change_id: int) -> bool:
        stmt = sa.delete(_ROW).where(_ROW.id == change_id, _ROW.project_id == project_id)
        with backend_errors():
            async with self._session() as session:
                result = await session.execute(stmt.execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0))

    async def claim_due(self, now: datetime, *, limit: int) -> builtins.list[ScheduledChange]:
        paused = sa.and_(
            _ROW.is_recurring.is_(False),
            sa.or_(_ROW.recurrence_interval.is_not(None), _ROW.cron_expression.is_not(None)),
        )
        stmt = (
            sa.select(_ROW)
            .where(
                _ROW.executed_at.is_(None),
                _ROW.scheduled_at <= now,
                sa.not_(paused),
                sa.or_(_ROW.retry_after.is_(None), _ROW.retry_after <= now),
            )
            .order_by(_ROW.scheduled_at, _ROW.id)
            .limit(limit)
        )
        with backend_errors():
            async with self._session() as session:
                if session.get_bind().dialect.name != "sqlite":
                    stmt = stmt.with_for_update(skip_locked=True)
                rows = (await session.scalars(stmt.execution_options(populate_existing=True))).all()
                return [_change(r) for r in rows]
