"""SQL ``ActivityLog``: entries as rows, ``detail`` as JSON."""

from __future__ import annotations

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm import ActivityRow
from flagcore.domain.activity import ActivityDetail, ActivityEntry
from flagcore.ports.activity import ActivityLog, ActivityPage, ActivityQuery


class SqlActivityLog(ActivityLog):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def add(self, entry: ActivityEntry) -> None:
        row = ActivityRow(
            id=entry.id,
            organization_id=entry.organization_id,
            project_id=entry.project_id,
            user_id=entry.user_id,
            scope=entry.scope,
            item_id=entry.item_id,
            activity=entry.activity,
            detail=msgspec.to_builtins(entry.detail),
            created_at=entry.created_at,
        )
        with backend_errors():
            async with self._session() as session:
                session.add(row)
                await session.flush()

    async def list(self, query: ActivityQuery) -> ActivityPage:
        conditions = [ActivityRow.project_id == query.project_id]
        if query.scope is not None:
            conditions.append(ActivityRow.scope == query.scope)
        if query.item_id is not None:
            conditions.append(ActivityRow.item_id == query.item_id)
        stmt = (
            sa.select(ActivityRow)
            .where(*conditions)
            .order_by(ActivityRow.created_at.desc(), ActivityRow.seq.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        with backend_errors():
            async with self._session() as session:
                total = await session.scalar(sa.select(sa.func.count()).select_from(ActivityRow).where(*conditions))
                rows = (await session.scalars(stmt)).all()
        return ActivityPage(total_count=total or 0, items=[_entry(row) for row in rows])


def _entry(row: ActivityRow) -> ActivityEntry:
    return ActivityEntry(
        id=row.id,
        organization_id=row.organization_id,
        project_id=row.project_id,
        user_id=row.user_id,
        scope=row.scope,
        item_id=row.item_id,
        activity=row.activity,  # type: ignore[arg-type]  # written from the same Literal
        detail=msgspec.convert(row.detail, ActivityDetail),
        created_at=row.created_at,
    )
