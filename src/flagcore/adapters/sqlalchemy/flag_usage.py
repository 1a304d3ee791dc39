"""SQL flag usage (SQLite and PostgreSQL): one upsert per batch, evaluated by the database.

``calls = calls + excluded.calls`` and ``last_called_at`` moved forward only (a CASE, portable to both dialects) are
computed by the database, so concurrent ingestion workers never lose each other's counts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import upsert
from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_usage import FlagUsageRow
from flagcore.domain.flags.usage import FlagCallKey, FlagCalls
from flagcore.ports.flag_usage import FlagUsageRepo


class SqlFlagUsageRepo(FlagUsageRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def record(self, calls: Mapping[FlagCallKey, FlagCalls]) -> None:
        # Sorted: concurrent batches take the rows' locks in one order (no deadlock between workers).
        rows = [
            {
                "project_id": k.project_id,
                "flag_key": k.flag_key,
                "day": k.day,
                "calls": c.calls,
                "last_called_at": c.last_called_at,
            }
            for k, c in sorted(calls.items(), key=lambda item: (item[0].project_id, item[0].flag_key, item[0].day))
            if c.calls > 0
        ]
        if not rows:
            return
        table = FlagUsageRow.__table__
        with backend_errors():
            async with self._session() as session:
                await session.execute(
                    upsert(
                        session,
                        FlagUsageRow,
                        rows,
                        index_elements=["project_id", "flag_key", "day"],
                        set_=lambda proposed: {
                            "calls": table.c.calls + proposed.calls,
                            "last_called_at": sa.case(
                                (proposed.last_called_at > table.c.last_called_at, proposed.last_called_at),
                                else_=table.c.last_called_at,
                            ),
                        },
                    )
                )

    async def last_called(self, project_id: int, flag_keys: Collection[str]) -> dict[str, datetime]:
        if not flag_keys:
            return {}
        row = FlagUsageRow
        stmt = (
            # type_coerce: the aggregate keeps the column type's conversion (SQLite returns text otherwise).
            sa.select(row.flag_key, sa.type_coerce(sa.func.max(row.last_called_at), DateTimeUTC()))
            .where(row.project_id == project_id, row.flag_key.in_(list(flag_keys)))
            .group_by(row.flag_key)
        )
        with backend_errors():
            async with self._session() as session:
                found = (await session.execute(stmt)).all()
        return {key: at for key, at in found if at is not None}

    async def daily(self, project_id: int, flag_key: str, start: date, end: date) -> dict[date, int]:
        row = FlagUsageRow
        stmt = sa.select(row.day, row.calls).where(
            row.project_id == project_id, row.flag_key == flag_key, row.day >= start, row.day < end
        )
        with backend_errors():
            async with self._session() as session:
                found = (await session.execute(stmt)).all()
        return {day: int(calls) for day, calls in found}
