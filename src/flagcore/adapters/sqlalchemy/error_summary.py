"""Database errors described for the log without the data they carry.

A driver error renders the statement's parameters (a flag's name, filters, payloads) and its own message, which on
PostgreSQL can quote the offending value (``invalid input for query argument $2: ...``). The engine hides the
parameters (``hide_parameters=True``); what is logged is this summary instead of the error itself: the kind of
statement and its table, the driver's error class and its code (SQLSTATE, or SQLite's result code name and its
message, which never quotes a value). The original traceback is kept, so the log still shows where it came from.
"""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy import exc as sa_exc

# The verb and, when the statement names it up front, the table ("UPDATE feature_flags", "INSERT INTO flags").
_KIND: Final = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|[A-Z]+)\b\s*([\w.\"]+)?", re.IGNORECASE)
_WRITES: Final = frozenset({"INSERT INTO", "UPDATE", "DELETE FROM"})


class DatabaseErrorSummary(Exception):  # noqa: N818 - a summary standing in for the error, not an error kind
    """What the log shows as the cause of a database failure: kind of statement, error class and code, no data."""


def summarize(exc: sa_exc.StatementError) -> DatabaseErrorSummary:
    """A data-free stand-in for ``exc``, carrying ``exc``'s traceback, to chain a translated error from."""
    summary = DatabaseErrorSummary(f"{_statement_kind(exc.statement)} failed: {_cause(exc)}")
    return summary.with_traceback(exc.__traceback__)


def refuses_a_value(exc: sa_exc.DBAPIError) -> bool:
    """Whether the database refused a value rather than failed: a DataError, or SQLSTATE class 22 (data exception).

    SQLAlchemy's asyncpg dialect reports some data exceptions (NUL in text: 22021) as a generic ``DBAPIError``.
    """
    return isinstance(exc, sa_exc.DataError) or str(getattr(exc.orig, "sqlstate", "") or "").startswith("22")


def _statement_kind(statement: str | None) -> str:
    if not statement:
        return "connection"
    match = _KIND.match(statement)
    if match is None:
        return "statement"
    verb = " ".join(match.group(1).upper().split())
    table = match.group(2) if verb in _WRITES else None
    return f"{verb} {table.strip(chr(34))}" if table else verb


def _cause(exc: sa_exc.StatementError) -> str:
    orig = exc.orig
    if orig is None:
        return type(exc).__name__
    # asyncpg errors reach SQLAlchemy wrapped in an adapter class; the driver's own class is the informative one.
    driver = orig.__cause__ if isinstance(orig.__cause__, Exception) else orig
    sqlite_code = getattr(orig, "sqlite_errorname", None)
    if sqlite_code:
        # SQLite's messages name the condition and at most schema objects ("database is locked", "no such table:
        # t", "NOT NULL constraint failed: t.c"), never a bound value: kept, they say what went wrong.
        return f"{type(driver).__name__} ({sqlite_code}): {orig}"
    code = getattr(orig, "sqlstate", None) or mysql_error_code(orig)
    return f"{type(driver).__name__} ({code})" if code else type(driver).__name__


def mysql_error_code(exc: BaseException) -> int | None:
    """The MySQL/MariaDB error number of a driver error (asyncmy's first argument), if it is one."""
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) and not isinstance(args[0], bool) else None
