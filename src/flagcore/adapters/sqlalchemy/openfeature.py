"""SQL ``FlagDeclarationRepo``."""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import upsert
from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_openfeature import FlagDeclarationRow
from flagcore.domain.openfeature import FlagDeclaration, OpenFeatureType
from flagcore.ports.openfeature import FlagDeclarationRepo


class SqlFlagDeclarationRepo(FlagDeclarationRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def get_many(self, project_id: int, flag_ids: Collection[int]) -> dict[int, FlagDeclaration]:
        if not flag_ids:
            return {}
        stmt = sa.select(FlagDeclarationRow).where(
            FlagDeclarationRow.project_id == project_id, FlagDeclarationRow.flag_id.in_(list(flag_ids))
        )
        with backend_errors():
            async with self._session() as session:
                rows = list(await session.scalars(stmt))
        return {row.flag_id: _to_domain(row) for row in rows}

    async def put(self, declaration: FlagDeclaration) -> None:
        values = {
            "flag_id": declaration.flag_id,
            "project_id": declaration.project_id,
            "flag_type": declaration.flag_type,
            "default_value": msgspec.json.encode(declaration.default_value).decode(),
        }
        with backend_errors():
            async with self._session() as session:
                stmt = upsert(
                    session,
                    FlagDeclarationRow,
                    values,
                    index_elements=[FlagDeclarationRow.flag_id],
                    set_=lambda proposed: {"flag_type": proposed.flag_type, "default_value": proposed.default_value},
                )
                await session.execute(stmt)


def _to_domain(row: FlagDeclarationRow) -> FlagDeclaration:
    return FlagDeclaration(
        project_id=row.project_id,
        flag_id=row.flag_id,
        flag_type=cast("OpenFeatureType", row.flag_type),
        default_value=msgspec.json.decode(row.default_value),
    )
