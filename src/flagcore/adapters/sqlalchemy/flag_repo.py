"""SQL ``FlagRepo``: SQLite and PostgreSQL through SQLAlchemy, with compare-and-set writes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import update_returning
from flagcore.adapters.sqlalchemy._errors import backend_errors, violates
from flagcore.adapters.sqlalchemy._listing import count_statement, list_statement
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.mappers import flag_from_row, flag_values
from flagcore.adapters.sqlalchemy.orm import LIVE_FLAG_KEY_INDEX, FlagRow
from flagcore.domain.flags import (
    DependencyInfo,
    DuplicateFlagKeyError,
    FeatureFlag,
    FlagNotFoundError,
    NewFlag,
    VersionConflictError,
    flag_dependency_ids,
)
from flagcore.ports.flags import FlagPage, FlagQuery, FlagRepo


class SqlFlagRepo(FlagRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def get(self, project_id: int, flag_id: int) -> FeatureFlag | None:
        stmt = sa.select(FlagRow).where(FlagRow.id == flag_id, FlagRow.project_id == project_id)
        with backend_errors():
            async with self._session() as session:
                row = await session.scalar(stmt)
        return flag_from_row(row) if row is not None else None

    async def get_by_key(self, project_id: int, key: str) -> FeatureFlag | None:
        stmt = sa.select(FlagRow).where(FlagRow.project_id == project_id, FlagRow.key == key, ~FlagRow.deleted)
        with backend_errors():
            async with self._session() as session:
                row = await session.scalar(stmt)
        return flag_from_row(row) if row is not None else None

    async def list(self, project_id: int, query: FlagQuery) -> FlagPage:
        with backend_errors():
            async with self._session() as session:
                dialect = session.get_bind().dialect.name
                count = await session.scalar(count_statement(project_id, query, dialect))
                rows = (await session.scalars(list_statement(project_id, query, dialect))).all()
        return FlagPage(count=count or 0, items=[flag_from_row(row) for row in rows])

    async def create(self, flag: NewFlag) -> FeatureFlag:
        row = FlagRow(
            **flag_values(flag),
            deleted=False,
            version=1,
            created_at=flag.created_at,
            updated_at=None,
            last_modified_by_id=None,
        )
        with backend_errors():
            try:
                async with self._session() as session:
                    session.add(row)
                    await session.flush()  # constraint errors surface here, inside a unit of work too
            except sa_exc.IntegrityError as exc:
                if violates(exc, constraint=LIVE_FLAG_KEY_INDEX, columns=_KEY_COLUMNS):
                    raise DuplicateFlagKeyError(flag.key) from exc
                raise
        return flag_from_row(row)

    async def update(self, flag: FeatureFlag, *, expected_version: int) -> FeatureFlag:
        values = flag_values(flag) | {
            "deleted": flag.deleted,
            "updated_at": flag.updated_at,
            "last_modified_by_id": flag.last_modified_by_id,
        }
        try:
            return await self._compare_and_set(flag.project_id, flag.id, expected_version, values)
        except sa_exc.IntegrityError as exc:
            if violates(exc, constraint=LIVE_FLAG_KEY_INDEX, columns=_KEY_COLUMNS):
                raise DuplicateFlagKeyError(flag.key) from exc
            raise

    async def soft_delete(self, project_id: int, flag_id: int, *, expected_version: int) -> FeatureFlag:
        return await self._compare_and_set(project_id, flag_id, expected_version, {"deleted": True})

    async def has_encrypted_payloads(self) -> bool:
        stmt = sa.select(FlagRow.id).where(FlagRow.has_encrypted_payloads.is_(True)).limit(1)
        with backend_errors():
            async with self._session() as session:
                return await session.scalar(stmt) is not None

    async def dependency_view(self, project_id: int) -> dict[int, DependencyInfo]:
        stmt = sa.select(FlagRow).where(FlagRow.project_id == project_id, ~FlagRow.deleted)
        with backend_errors():
            async with self._session() as session:
                rows = (await session.scalars(stmt)).all()
        view: dict[int, DependencyInfo] = {}
        for row in rows:
            flag = flag_from_row(row)
            view[flag.id] = DependencyInfo(
                key=flag.key, active=flag.active, depends_on=flag_dependency_ids(flag.filters)
            )
        return view

    async def _compare_and_set(
        self, project_id: int, flag_id: int, expected_version: int, values: dict[str, Any]
    ) -> FeatureFlag:
        # One conditional UPDATE is the compare-and-set: of concurrent writers with the same expected version the
        # database lets exactly one match the WHERE clause (row lock on PostgreSQL, the write lock on SQLite).
        stmt = (
            sa.update(FlagRow)
            .where(FlagRow.id == flag_id, FlagRow.project_id == project_id, FlagRow.version == expected_version)
            .values(**values, version=FlagRow.version + 1)
            .execution_options(synchronize_session=False)
        )
        read_back = sa.select(FlagRow).where(FlagRow.id == flag_id)
        with backend_errors():
            async with self._session() as session:
                row = await update_returning(session, stmt, FlagRow, read_back)
                if row is None:
                    stored = await session.scalar(
                        sa.select(FlagRow.version).where(FlagRow.id == flag_id, FlagRow.project_id == project_id)
                    )
                    if stored is None:
                        raise FlagNotFoundError(flag_id)
                    raise VersionConflictError(stored_version=stored)
        return flag_from_row(row)


_KEY_COLUMNS = "feature_flags.project_id, feature_flags.key"
