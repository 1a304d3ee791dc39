"""The few statements whose SQL differs by database: upserts, insert-if-absent, and reading back what a write did.

PostgreSQL and SQLite share ``INSERT ... ON CONFLICT`` and ``RETURNING``. MySQL has ``ON DUPLICATE KEY UPDATE``
instead, and no ``RETURNING`` on updates (MySQL 8 has none at all; MariaDB only on inserts and deletes), so on MySQL a
write is followed by a read of the row in the same transaction: the write's row lock keeps that read exact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

#: ``proposed.column``: the value the insert proposed for a column (PostgreSQL's ``excluded``, MySQL's ``VALUES()``).
Proposed = Any
ChangedColumns = Callable[[Proposed], Mapping[str, Any]]
_T = TypeVar("_T")


def is_mysql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "mysql"


def upsert(
    session: AsyncSession,
    model: Any,  # noqa: ANN401 - an ORM class or a Table
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    index_elements: Sequence[Any],
    set_: ChangedColumns,
) -> sa.Executable:
    """Insert ``values``, or on a clash of ``index_elements`` update the columns ``set_(proposed)`` names.

    On MySQL the clash is on any unique key (the tables upserted have only the one named), and the assignments run
    in the order given, each seeing the columns assigned before it: list a column before those that read it.
    """
    name = session.get_bind().dialect.name
    if name == "mysql":
        stmt = mysql.insert(model).values(values)
        return stmt.on_duplicate_key_update(list(set_(stmt.inserted).items()))
    insert = postgresql.insert if name == "postgresql" else sqlite.insert
    pg_stmt = insert(model).values(values)
    return pg_stmt.on_conflict_do_update(index_elements=index_elements, set_=dict(set_(pg_stmt.excluded)))


def insert_if_absent(
    session: AsyncSession,
    model: Any,  # noqa: ANN401 - an ORM class
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> sa.Executable:
    """Insert ``values``, leaving rows that clash with a unique key as they are (no count of what was inserted)."""
    name = session.get_bind().dialect.name
    if name == "mysql":
        stmt = mysql.insert(model).values(values)
        # A no-op assignment (a column to itself) is MySQL's DO NOTHING; INSERT IGNORE would also hide other errors.
        first = next(iter(sa.inspect(model).columns))
        return stmt.on_duplicate_key_update([(first.name, first)])
    insert = postgresql.insert if name == "postgresql" else sqlite.insert
    return insert(model).values(values).on_conflict_do_nothing()


async def update_returning(
    session: AsyncSession,
    stmt: sa.Update,
    returning: Any,  # noqa: ANN401 - an ORM class or a column
    read_back: sa.Select[tuple[_T]],
) -> _T | None:
    """Run ``stmt`` and return the updated row as ``returning`` (``None``: no row matched).

    ``read_back`` selects the same row by its key; MySQL runs it after the update, whose row lock keeps it exact.
    """
    if not is_mysql(session):
        result: _T | None = await session.scalar(stmt.returning(returning))
        return result
    if not _rowcount(await session.execute(stmt)):
        return None
    row: _T | None = await session.scalar(read_back.execution_options(populate_existing=True))
    return row


async def upsert_returning(session: AsyncSession, stmt: Any, returning: Any, read_back: sa.Select[tuple[_T]]) -> _T:  # noqa: ANN401
    """Run the upsert ``stmt`` (from ``upsert``) and return the row it left, as ``returning``."""
    if not is_mysql(session):
        row: _T = (await session.execute(stmt.returning(returning))).scalar_one()
        return row
    await session.execute(stmt)
    return (await session.execute(read_back.execution_options(populate_existing=True))).scalar_one()


async def deleted_any(session: AsyncSession, stmt: sa.Delete) -> bool:
    """Run ``stmt``; whether it removed a row."""
    return _rowcount(await session.execute(stmt)) > 0


def _rowcount(result: Any) -> int:  # noqa: ANN401 - a DML CursorResult
    # MySQL's dialects connect with CLIENT_FOUND_ROWS: an UPDATE counts the rows it matched, not only those it changed.
    return int(result.rowcount or 0)
