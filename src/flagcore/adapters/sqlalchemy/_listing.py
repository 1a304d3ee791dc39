"""SQL for flag listings: filters, order and page of a ``FlagQuery``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
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


def count_statement(project_id: int, query: FlagQuery, dialect: str) -> sa.Select[tuple[int]]:
    return sa.select(sa.func.count()).select_from(FlagRow).where(*_conditions(project_id, query, dialect))


def list_statement(project_id: int, query: FlagQuery, dialect: str) -> sa.Select[tuple[FlagRow]]:
    return (
        sa.select(FlagRow)
        .where(*_conditions(project_id, query, dialect))
        .order_by(_order(query.order, dialect), FlagRow.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )


def _conditions(project_id: int, query: FlagQuery, dialect: str) -> list[ColumnElement[bool]]:
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
    if query.type == "experiment":
        conditions.append(sa.false())  # no experiments in flagcore
    elif query.type == "remote_config":
        conditions.append(FlagRow.is_remote_configuration.is_(True))
    elif query.type is not None:
        conditions.append(FlagRow.is_multivariate == (query.type == "multivariant"))
    if query.evaluation_runtime is not None:
        conditions.append(FlagRow.evaluation_runtime == query.evaluation_runtime)
    if query.created_by_id is not None:
        conditions.append(FlagRow.created_by_id == query.created_by_id)
    if query.stale_before is not None:
        conditions += [
            FlagRow.active.is_(True),
            FlagRow.is_rolled_out.is_(True),
            FlagRow.created_at < query.stale_before,
        ]
    if query.tags is not None:
        conditions.append(_has_any_tag(FlagRow.tags, query.tags, dialect))
    if query.has_evaluation_tags is not None:
        length = _json_length(FlagRow.evaluation_tags, dialect)
        conditions.append(length > 0 if query.has_evaluation_tags else length == 0)
    if query.excluded_keys:
        conditions.append(FlagRow.key.not_in(query.excluded_keys))
    return conditions


def _has_any_tag(column: Any, tags: tuple[str, ...], dialect: str) -> ColumnElement[bool]:  # noqa: ANN401
    if not tags:
        return sa.false()
    if dialect == "postgresql":
        return column.op("?|")(sa.cast(postgresql.array(tags), postgresql.ARRAY(sa.Text)))  # type: ignore[no-any-return]
    if dialect == "mysql":
        return sa.or_(*(sa.func.json_contains(column, sa.func.json_quote(tag)) == 1 for tag in tags))
    each = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(1).select_from(each).where(each.c.value.in_(tags)))


def _json_length(column: Any, dialect: str) -> ColumnElement[int]:  # noqa: ANN401
    if dialect == "postgresql":
        return sa.func.jsonb_array_length(column)
    if dialect == "mysql":
        return sa.func.json_length(column)
    return sa.func.json_array_length(column)


def _order(order: str, dialect: str) -> sa.UnaryExpression[Any]:
    field = order.lstrip("-")
    descending = order.startswith("-")
    column: ColumnElement[Any] = getattr(FlagRow, field)
    if field in {"key", "name"}:
        column = CodepointOrder(column)
    if field == "updated_at":
        # Never-updated flags are the oldest: first ascending, last descending (as the memory adapter sorts them).
        if dialect == "mysql":  # no NULLS FIRST/LAST, but NULL sorts first ascending and last descending anyway
            return column.desc() if descending else column.asc()
        return column.desc().nulls_last() if descending else column.asc().nulls_first()
    return column.desc() if descending else column.asc()
