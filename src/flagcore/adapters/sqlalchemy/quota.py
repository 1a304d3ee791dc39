"""SQL quota limits and usage counters (SQLite and PostgreSQL).

Counters are added to with one upsert per (organization, resource, day) of a batch, in one transaction:
``amount = amount + excluded.amount`` is evaluated by the database, so concurrent instances never lose increments.
Callers batch (see ``app/quota/accounting.py``): the database sees one small transaction per flush, not per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import upsert
from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_quota import QuotaLimitRow, UsageCounterRow
from flagcore.domain.quota import DailyUsage, QuotaLimit, Resource, UsageKey
from flagcore.ports.quota import QuotaLimitRepo, UsageCounters


class SqlQuotaLimitRepo(QuotaLimitRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def get(self, organization_id: str, resource: Resource) -> QuotaLimit | None:
        with backend_errors():
            async with self._session() as session:
                row = await session.get(QuotaLimitRow, (organization_id, resource.value))
        if row is None:
            return None
        return QuotaLimit(
            organization_id=row.organization_id,
            resource=Resource(row.resource),
            limit=row.quota_limit,
            grace_period_days=row.grace_period_days,
            suspended_until=row.suspended_until,
            updated_at=row.updated_at,
        )

    async def put(self, quota: QuotaLimit) -> None:
        values = {
            "organization_id": quota.organization_id,
            "resource": quota.resource.value,
            "quota_limit": quota.limit,
            "grace_period_days": quota.grace_period_days,
            "suspended_until": quota.suspended_until,
            "updated_at": quota.updated_at,
        }
        with backend_errors():
            async with self._session() as session:
                changed = [name for name in values if name not in ("organization_id", "resource")]
                await session.execute(
                    upsert(
                        session,
                        QuotaLimitRow,
                        values,
                        index_elements=["organization_id", "resource"],
                        set_=lambda proposed: {name: proposed[name] for name in changed},
                    )
                )


class SqlUsageCounters(UsageCounters):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def add(self, increments: Mapping[UsageKey, int]) -> None:
        rows = [
            {"organization_id": k.organization_id, "resource": k.resource.value, "day": k.day, "amount": n}
            for k, n in sorted(increments.items(), key=lambda item: (item[0].organization_id, item[0].day))
            if n
        ]
        if not rows:
            return
        table = UsageCounterRow.__table__
        with backend_errors():
            async with self._session() as session:
                await session.execute(
                    upsert(
                        session,
                        UsageCounterRow,
                        rows,
                        index_elements=["organization_id", "resource", "day"],
                        set_=lambda proposed: {"amount": table.c.amount + proposed.amount},
                    )
                )

    async def daily(self, organization_id: str, resource: Resource, start: date, end: date) -> DailyUsage:
        row = UsageCounterRow
        stmt = sa.select(row.day, row.amount).where(
            row.organization_id == organization_id, row.resource == resource.value, row.day >= start, row.day < end
        )
        with backend_errors():
            async with self._session() as session:
                found = (await session.execute(stmt)).all()
        return DailyUsage(days={day: int(amount) for day, amount in found})
