"""Translation of driver errors at the adapter boundary, and what they mean for an operator."""

from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Iterator
from typing import Final, NamedTuple

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import exc as sa_exc

from flagcore.adapters.sqlalchemy.error_summary import mysql_error_code, refuses_a_value, summarize
from flagcore.domain.errors import InvalidInputError
from flagcore.ports.errors import BackendUnavailableError

# TimeoutError covers asyncio.TimeoutError (an alias since 3.11); sqlalchemy's TimeoutError is the pool timeout.
# asyncpg's own errors escape SQLAlchemy when they happen while connecting (unknown database, bad password): SQLAlchemy
# wraps only what the driver raises on an open connection.
_UNAVAILABLE = (sa_exc.DBAPIError, sa_exc.TimeoutError, OSError, TimeoutError, asyncpg.PostgresError)
# PostgreSQL error codes (SQLSTATE) that mean "this database cannot serve until an operator acts".
_UNKNOWN_DATABASE: Final = "3D000"
_AUTHENTICATION: Final = ("28000", "28P01")
_UNDEFINED_TABLE: Final = "42P01"
_UNDEFINED_COLUMN: Final = "42703"
_MIGRATE: Final = "run `flagcore migrate`"
_MYSQL_DUPLICATE_KEY: Final = 1062
# MySQL/MariaDB error numbers of the same conditions (ER_BAD_DB_ERROR; access denied to the server or the database;
# ER_NO_SUCH_TABLE, ER_BAD_FIELD_ERROR; the client's "cannot connect", "server has gone away", "lost connection").
_MYSQL_UNKNOWN_DATABASE: Final = 1049
_MYSQL_AUTHENTICATION: Final = (1044, 1045)
_MYSQL_SCHEMA_MISSING: Final = (1146, 1054)
_MYSQL_UNREACHABLE: Final = (2002, 2003, 2006, 2013)


class FailureKind(enum.Enum):
    """Why a database cannot serve; ``UNREACHABLE`` and ``OTHER`` may pass by themselves, the rest need an operator."""

    UNKNOWN_DATABASE = "unknown_database"
    AUTHENTICATION = "authentication"
    SCHEMA_MISSING = "schema_missing"
    SQLITE_UNREADABLE = "sqlite_unreadable"
    UNREACHABLE = "unreachable"
    OTHER = "other"


class DatabaseFailure(NamedTuple):
    kind: FailureKind
    #: One line for the log or the terminal, naming the database but not its URL (the caller knows the setting).
    reason: str


logger = logging.getLogger("flagcore.sql")


@contextlib.contextmanager
def backend_errors() -> Iterator[None]:
    """Re-raise connection and driver failures as ``BackendUnavailableError``; integrity errors pass through.

    Integrity errors are the caller's to map (they mean "this write breaks a rule", not "the database is down").
    Driver errors are chained from a summary without their parameters or message (``error_summary``), so that
    logging the translated error never writes flag data to the log.
    The error's ``reason`` says what is wrong, for the one log line the HTTP edge writes.
    """
    try:
        yield
    except sa_exc.IntegrityError:
        raise
    except sa_exc.DBAPIError as exc:
        summary = summarize(exc)
        if not refuses_a_value(exc):
            failure = classify(exc)
            raise BackendUnavailableError(reason=_reason(failure, summary), kind=failure.kind.value) from summary
        # The database refused a value (NUL in text, an integer out of range): the input's fault, not an outage,
        # but one that validation should have caught, so the operator hears of it.
        logger.warning("the database refused a value that passed validation: %s", summary, exc_info=summary)
        raise InvalidInputError("A value was refused by the database (out of range or not representable).") from summary
    except _UNAVAILABLE as exc:
        failure = classify(exc)
        raise BackendUnavailableError(reason=failure.reason, kind=failure.kind.value) from exc


def _reason(failure: DatabaseFailure, summary: BaseException) -> str:
    # An unclassified driver message may quote the data it refused: the summary names only the statement and cause.
    return f"database error: {summary}" if failure.kind is FailureKind.OTHER else failure.reason


def classify(exc: BaseException) -> DatabaseFailure:
    """What a driver error means for whoever runs the database, in one line."""
    cause = _driver_error(exc)
    message = _first_line(cause)
    sqlstate = getattr(cause, "sqlstate", None)
    mysql_code = mysql_error_code(cause)
    if mysql_code is not None:
        message = _mysql_message(cause) or message
    if sqlstate == _UNKNOWN_DATABASE or mysql_code == _MYSQL_UNKNOWN_DATABASE:
        return DatabaseFailure(FailureKind.UNKNOWN_DATABASE, f"{message} (create it, or fix the database name)")
    if sqlstate in _AUTHENTICATION or mysql_code in _MYSQL_AUTHENTICATION:
        return DatabaseFailure(FailureKind.AUTHENTICATION, f"database authentication failed: {message}")
    if (
        sqlstate in {_UNDEFINED_TABLE, _UNDEFINED_COLUMN}
        or mysql_code in _MYSQL_SCHEMA_MISSING
        or message.startswith(("no such table", "no such column"))
    ):
        return DatabaseFailure(
            FailureKind.SCHEMA_MISSING, f"database schema missing or outdated ({message}): {_MIGRATE}"
        )
    if "unable to open database file" in message:
        return DatabaseFailure(
            FailureKind.SQLITE_UNREADABLE,
            f"cannot open the SQLite database file ({message}): check that its directory exists and is writable",
        )
    if isinstance(cause, (OSError, TimeoutError, sa_exc.TimeoutError)) or mysql_code in _MYSQL_UNREACHABLE:
        return DatabaseFailure(FailureKind.UNREACHABLE, f"cannot reach the database: {message or type(cause).__name__}")
    return DatabaseFailure(FailureKind.OTHER, f"database error: {message or type(cause).__name__}")


def _driver_error(exc: BaseException) -> BaseException:
    # SQLAlchemy wraps the DBAPI adapter's error, which wraps asyncpg's (the one carrying the SQLSTATE).
    if isinstance(exc, sa_exc.DBAPIError) and exc.orig is not None:
        exc = exc.orig
    cause = exc.__cause__
    return cause if isinstance(cause, asyncpg.PostgresError) else exc


def _mysql_message(exc: BaseException) -> str:
    # asyncmy's errors are (number, message) pairs; the message alone reads like the other drivers' messages.
    args: tuple[object, ...] = getattr(exc, "args", ())
    return str(args[1]).strip().splitlines()[0] if len(args) > 1 and str(args[1]).strip() else ""


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else ""


def violates(exc: sa_exc.IntegrityError, *, constraint: str, columns: str) -> bool:
    """True if ``exc`` is a unique violation of ``constraint`` on ``columns`` (``"table.col, table.col"``).

    PostgreSQL names the constraint or index in its message; SQLite lists the columns instead; MySQL names the key
    (MariaDB as ``'name'``, MySQL 8 as ``'table.name'``).
    """
    message = str(exc.orig)
    if is_duplicate_key(exc):
        return (
            f"'{constraint}'" in message
            or f".{constraint}'" in message
            or (constraint.startswith("pk_") and ("'PRIMARY'" in message or ".PRIMARY'" in message))
        )
    return f'"{constraint}"' in message or message.strip() == f"UNIQUE constraint failed: {columns}"


def is_duplicate_key(exc: sa_exc.IntegrityError) -> bool:
    """True if ``exc`` is MySQL's duplicate-key error (1062; any unique key)."""
    args: tuple[object, ...] = getattr(exc.orig, "args", ())
    return bool(args) and args[0] == _MYSQL_DUPLICATE_KEY
