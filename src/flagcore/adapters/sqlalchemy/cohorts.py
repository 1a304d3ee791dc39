"""SQL ``CohortRepo``: ``cohorts`` rows and ``cohort_people`` (static membership, one row per member)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Final

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import deleted_any, is_mysql, update_returning
from flagcore.adapters.sqlalchemy._errors import backend_errors, is_duplicate_key
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_persons import CohortPersonRow, CohortRow
from flagcore.domain.cohorts import Cohort, NewCohort
from flagcore.ports.cohorts import CohortPage, CohortQuery, CohortRepo

#: Members per INSERT (2 parameters each), under SQLite's bound-parameter limit.
_BATCH: Final = 400


def _cohort(row: CohortRow) -> Cohort:
    return Cohort(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        description=row.description,
        filters=dict(row.filters),
        is_static=row.is_static,
        deleted=row.deleted,
        is_calculating=row.is_calculating,
        count=row.count,
        errors_calculating=row.errors_calculating,
        last_calculation=row.last_calculation,
        created_by_id=row.created_by_id,
        created_at=row.created_at,
        version=row.version,
    )


class SqlCohortRepo(CohortRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def create(self, cohort: NewCohort) -> Cohort:
        row = CohortRow(
            project_id=cohort.project_id,
            name=cohort.name,
            description=cohort.description,
            filters=dict(cohort.filters),
            is_static=cohort.is_static,
            deleted=False,
            is_calculating=cohort.is_calculating,
            count=None,
            errors_calculating=0,
            last_calculation=None,
            created_by_id=cohort.created_by_id,
            created_at=cohort.created_at,
            version=0,
        )
        with backend_errors():
            async with self._session() as session:
                session.add(row)
                await session.flush()
                return _cohort(row)

    async def get(self, project_id: int, cohort_id: int) -> Cohort | None:
        stmt = sa.select(CohortRow).where(CohortRow.id == cohort_id, CohortRow.project_id == project_id)
        with backend_errors():
            async with self._session() as session:
                row = await session.scalar(stmt)
                return _cohort(row) if row is not None else None

    async def save(self, cohort: Cohort) -> Cohort:
        stmt = (
            sa.update(CohortRow)
            .where(CohortRow.id == cohort.id)
            .values(
                name=cohort.name,
                description=cohort.description,
                filters=dict(cohort.filters),
                is_static=cohort.is_static,
                deleted=cohort.deleted,
                is_calculating=cohort.is_calculating,
                count=cohort.count,
                errors_calculating=cohort.errors_calculating,
                last_calculation=cohort.last_calculation,
                version=CohortRow.version + 1,
            )
        )
        with backend_errors():
            async with self._session() as session:
                row = await update_returning(
                    session, stmt, CohortRow, sa.select(CohortRow).where(CohortRow.id == cohort.id)
                )
                if row is None:
                    raise sa_exc.NoResultFound("No row was found when one was required")
                return _cohort(row)

    async def list(self, project_id: int, query: CohortQuery) -> CohortPage:
        where = [CohortRow.project_id == project_id, CohortRow.deleted.is_(False)]
        if query.type is not None:
            where.append(CohortRow.is_static.is_(query.type == "static"))
        if query.search:
            escaped = query.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append(sa.func.lower(CohortRow.name).like(f"%{escaped}%", escape="\\"))
        page = (
            sa.select(CohortRow)
            .where(*where)
            .order_by(CohortRow.created_at.desc(), CohortRow.id.desc())
            .offset(query.offset)
            .limit(query.limit)
        )
        count = sa.select(sa.func.count()).select_from(CohortRow).where(*where)
        with backend_errors():
            async with self._session() as session:
                rows = (await session.scalars(page)).all()
                total = (await session.execute(count)).scalar_one()
        return CohortPage(count=int(total), items=[_cohort(r) for r in rows])

    async def live(self, project_id: int) -> builtins.list[Cohort]:
        stmt = (
            sa.select(CohortRow)
            .where(CohortRow.project_id == project_id, CohortRow.deleted.is_(False))
            .order_by(CohortRow.id)
        )
        with backend_errors():
            async with self._session() as session:
                return [_cohort(r) for r in (await session.scalars(stmt)).all()]

    async def add_members(self, cohort_id: int, person_ids: Sequence[int]) -> int:
        ids = list(dict.fromkeys(person_ids))
        added = 0
        with backend_errors():
            async with self._session() as session:
                for start in range(0, len(ids), _BATCH):
                    batch = ids[start : start + _BATCH]
                    if is_mysql(session):
                        added += await _add_members_mysql(session, cohort_id, batch)
                        continue
                    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
                    values = [{"cohort_id": cohort_id, "person_id": p} for p in batch]
                    stmt = insert(CohortPersonRow).values(values).on_conflict_do_nothing()
                    result = await session.execute(stmt.returning(CohortPersonRow.person_id))
                    added += len(result.all())
        return added

    async def remove_member(self, cohort_id: int, person_id: int) -> bool:
        stmt = sa.delete(CohortPersonRow).where(
            CohortPersonRow.cohort_id == cohort_id, CohortPersonRow.person_id == person_id
        )
        with backend_errors():
            async with self._session() as session:
                return await deleted_any(session, stmt)

    async def members(self, cohort_id: int, *, limit: int, offset: int) -> builtins.list[int]:
        stmt = (
            sa.select(CohortPersonRow.person_id)
            .where(CohortPersonRow.cohort_id == cohort_id)
            .order_by(CohortPersonRow.person_id)
            .offset(offset)
            .limit(limit)
        )
        with backend_errors():
            async with self._session() as session:
                return list((await session.scalars(stmt)).all())

    async def member_count(self, cohort_id: int) -> int:
        stmt = sa.select(sa.func.count()).select_from(CohortPersonRow).where(CohortPersonRow.cohort_id == cohort_id)
        with backend_errors():
            async with self._session() as session:
                return int((await session.execute(stmt)).scalar_one())

    async def memberships(self, person_id: int) -> frozenset[int]:
        stmt = sa.select(CohortPersonRow.cohort_id).where(CohortPersonRow.person_id == person_id)
        with backend_errors():
            async with self._session() as session:
                return frozenset((await session.scalars(stmt)).all())

    async def move_memberships(self, from_person: int, to_person: int) -> None:
        kept = sa.select(CohortPersonRow.cohort_id).where(CohortPersonRow.person_id == to_person)
        with backend_errors():
            async with self._session() as session:
                await session.execute(
                    sa.update(CohortPersonRow)
                    .where(CohortPersonRow.person_id == from_person, CohortPersonRow.cohort_id.not_in(kept))
                    .values(person_id=to_person)
                )
                await session.execute(sa.delete(CohortPersonRow).where(CohortPersonRow.person_id == from_person))

    async def forget_person(self, person_id: int) -> None:
        with backend_errors():
            async with self._session() as session:
                await session.execute(sa.delete(CohortPersonRow).where(CohortPersonRow.person_id == person_id))


async def _add_members_mysql(session: AsyncSession, cohort_id: int, person_ids: Sequence[int]) -> int:
    """Add the members not yet in the cohort; how many were added (MySQL reports no inserted rows of an upsert)."""
    present = set(
        await session.scalars(
            sa.select(CohortPersonRow.person_id).where(
                CohortPersonRow.cohort_id == cohort_id, CohortPersonRow.person_id.in_(person_ids)
            )
        )
    )
    missing = [p for p in person_ids if p not in present]
    if not missing:
        return 0
    try:
        # One multi-row statement (not executemany): it fails or succeeds whole.
        await session.execute(
            sa.insert(CohortPersonRow).values([{"cohort_id": cohort_id, "person_id": p} for p in missing])
        )
    except sa_exc.IntegrityError as exc:
        if not is_duplicate_key(exc):
            raise
    else:
        return len(missing)
    # A concurrent writer added some of them in between (MySQL undid only the failed statement): one at a time.
    added = 0
    for person_id in missing:
        try:
            await session.execute(sa.insert(CohortPersonRow).values(cohort_id=cohort_id, person_id=person_id))
        except sa_exc.IntegrityError as exc:
            if not is_duplicate_key(exc):
                raise
        else:
            added += 1
    return added
