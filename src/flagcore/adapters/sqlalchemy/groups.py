"""SQL ``GroupTypeRepo``. New group types take the lowest free index with an insert-if-absent that retries."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import is_mysql, update_returning
from flagcore.adapters.sqlalchemy._errors import backend_errors, is_duplicate_key
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm import GroupTypeRow
from flagcore.domain.groups import MAX_GROUP_TYPES, GroupType, GroupTypeLimitError, next_group_type_index
from flagcore.ports.groups import GroupTypeRepo

# Each lost race means another writer added a group type, and there are at most five: this bound is never reached
# by honest contention.
_MAX_ATTEMPTS: Final = MAX_GROUP_TYPES * 2 + 2


def _to_domain(row: GroupTypeRow) -> GroupType:
    return GroupType(
        project_id=row.project_id,
        group_type=row.group_type,
        group_type_index=row.group_type_index,
        name_singular=row.name_singular,
        name_plural=row.name_plural,
        created_at=row.created_at,
    )


class SqlGroupTypeRepo(GroupTypeRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def list(self, project_id: int) -> list[GroupType]:
        stmt = (
            sa.select(GroupTypeRow).where(GroupTypeRow.project_id == project_id).order_by(GroupTypeRow.group_type_index)
        )
        with backend_errors():
            async with self._session() as session:
                return [_to_domain(row) for row in await session.scalars(stmt)]

    async def ensure(self, project_id: int, group_type: str, *, created_at: datetime) -> GroupType:
        for _ in range(_MAX_ATTEMPTS):
            existing = await self.list(project_id)
            for found in existing:
                if found.group_type == group_type:
                    return found
            free = next_group_type_index({t.group_type_index for t in existing})
            if await self._insert(project_id, free, group_type, created_at):
                return GroupType(
                    project_id=project_id, group_type=group_type, group_type_index=free, created_at=created_at
                )
        raise GroupTypeLimitError  # pragma: no cover - see _MAX_ATTEMPTS

    async def _insert(self, project_id: int, index: int, group_type: str, created_at: datetime) -> bool:
        values = {
            "project_id": project_id,
            "group_type_index": index,
            "group_type": group_type,
            "created_at": created_at,
        }
        with backend_errors():
            async with self._session() as session:
                # A conflict on the index or on the name means a concurrent writer won: the caller re-reads.
                if is_mysql(session):
                    # A failed statement leaves MySQL's transaction usable: the duplicate-key error is the answer.
                    try:
                        await session.execute(sa.insert(GroupTypeRow).values(values))
                    except sa_exc.IntegrityError as exc:
                        if is_duplicate_key(exc):
                            return False
                        raise
                    return True
                insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
                stmt = insert(GroupTypeRow).values(values).on_conflict_do_nothing().returning(GroupTypeRow.project_id)
                return (await session.execute(stmt)).first() is not None

    async def update_names(
        self, project_id: int, group_type_index: int, *, name_singular: str | None, name_plural: str | None
    ) -> GroupType | None:
        stmt = (
            sa.update(GroupTypeRow)
            .where(GroupTypeRow.project_id == project_id, GroupTypeRow.group_type_index == group_type_index)
            .values(name_singular=name_singular, name_plural=name_plural)
        )
        read_back = sa.select(GroupTypeRow).where(
            GroupTypeRow.project_id == project_id, GroupTypeRow.group_type_index == group_type_index
        )
        with backend_errors():
            async with self._session() as session:
                row = await update_returning(session, stmt, GroupTypeRow, read_back)
                return _to_domain(row) if row is not None else None
