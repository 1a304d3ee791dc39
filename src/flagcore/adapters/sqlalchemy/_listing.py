"""SQL for flag listings: filters, order and page of a ``FlagQuery``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

from flagcore.adapters.sqlalchemy.orm import FlagRow
from flagcore.ports.flags import FlagQuery


class CodepointOrder(sa.sql.expression.FunctionElement[str]):
    """A string column compared by code point, as Python compares ``str`` (and SQLite's BINARY collation does).

    PostgreSQL would otherwise sort by the database's locale, which may fold case or ignore punctuation.
    """

    inherit_cache = True
    name = "codepoint_order"


@compiles(CodepointOrder)
def _compile_default(element: CodepointOrder, compiler: SQLCompiler, **kw: object) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(CodepointOrder, "postgresql")
def _compile_postgresql(element: CodepointOrder, compiler: SQLCompiler, **kw: object) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


def count_statement(project_id: int, query: FlagQuery) -> sa.Select[tuple[int]]:
    return sa.select(sa.func.count()).select_from(FlagRow).where(*_conditions(project_id, query))


def list_statement(project_id: int, query: FlagQuery) -> sa.Select[tuple[FlagRow]]:
    return (
        sa.select(FlagRow)
        .where(*_conditions(project_id, query))
        .order_by(_order(query.order), FlagRow.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )


def _conditions(project_id: int, query: FlagQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [FlagRow.project_id == project_id, ~FlagRow.deleted]
    if query.active is not None:
        conditions.append(FlagRow.active == query.active)
    if query.search is not None:
        # autoescape makes % and _ in the search term literal characters, not wildcards.
        conditions.append(
            sa.or_(
                FlagRow.key.icontains(query.search, autoescape=True),
                FlagRow.name.icontains(query.search, autoescape=True),
            )
        )
    if query.type == "remote_config":
        conditions.append(FlagRow.is_remote_configuration.is_(True))
    elif query.type is not None:
        conditions.append(FlagRow.is_multivariate == (query.type == "multivariant"))
    if query.evaluation_runtime is not None:
        conditions.append(FlagRow.evaluation_runtime == query.evaluation_runtime)
    if query.created_by_id is not None:
        conditions.append(FlagRow.created_by_id == query.created_by_id)
    return conditions


def _order(order: str) -> sa.UnaryExpression[Any]:
    field = order.lstrip("-")
    descending = order.startswith("-")
    column: ColumnElement[Any] = getattr(FlagRow, field)
    if field in {"key", "name"}:
        column = CodepointOrder(column)
    if field == "updated_at":
        # Never-updated flags are the oldest: first ascending, last descending (as the memory adapter sorts them).
        return column.desc().nulls_last() if descending else column.asc().nulls_first()
    return column.desc() if descending else column.asc()
