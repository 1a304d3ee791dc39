"""Translation of driver errors at the adapter boundary."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from sqlalchemy import exc as sa_exc

from flagcore.adapters.sqlalchemy.error_summary import refuses_a_value, summarize
from flagcore.domain.errors import InvalidInputError
from flagcore.ports.errors import BackendUnavailableError

# TimeoutError covers asyncio.TimeoutError (an alias since 3.11); sqlalchemy's TimeoutError is the pool timeout.
_UNAVAILABLE = (sa_exc.DBAPIError, sa_exc.TimeoutError, OSError, TimeoutError)
logger = logging.getLogger("flagcore.sql")


@contextlib.contextmanager
def backend_errors() -> Iterator[None]:
    """Re-raise connection and driver failures as ``BackendUnavailableError``; integrity errors pass through.

    Integrity errors are the caller's to map (they mean "this write breaks a rule", not "the database is down").
    Driver errors are chained from a summary without their parameters or message (``error_summary``), so that
    logging the translated error never writes flag data to the log.
    """
    try:
        yield
    except sa_exc.IntegrityError:
        raise
    except sa_exc.DBAPIError as exc:
        summary = summarize(exc)
        if not refuses_a_value(exc):
            raise BackendUnavailableError from summary
        # The database refused a value (NUL in text, an integer out of range): the input's fault, not an outage,
        # but one that validation should have caught, so the operator hears of it.
        logger.warning("the database refused a value that passed validation: %s", summary, exc_info=summary)
        raise InvalidInputError("A value was refused by the database (out of range or not representable).") from summary
    except _UNAVAILABLE as exc:
        raise BackendUnavailableError from exc


def violates(exc: sa_exc.IntegrityError, *, constraint: str, columns: str) -> bool:
    """True if ``exc`` is a unique violation of ``constraint`` on ``columns`` (``"table.col, table.col"``).

    PostgreSQL names the constraint or index in its message; SQLite lists the columns instead.
    """
    message = str(exc.orig)
    return f'"{constraint}"' in message or message.strip() == f"UNIQUE constraint failed: {columns}"
