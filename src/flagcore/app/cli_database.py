"""What the CLI says about the database: one line naming the setting and the cause, never a traceback.

The SQL adapters are imported by the checks that use them, not with this module: ``flagcore serve --memory`` and
``flagcore --help`` do without SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flagcore.app.settings import ENV_PREFIX, Settings

if TYPE_CHECKING:
    from flagcore.adapters.sqlalchemy.migrate import MigrationReport
    from flagcore.ports.errors import BackendUnavailableError

DATABASE_SETTING = f"{ENV_PREFIX}DATABASE_URL"
#: Exit code of a command that could not use the database (2 is taken by configuration errors).
DATABASE_EXIT_CODE = 1


def redact(url: str) -> str:
    """``url`` with its credentials (user and password) replaced by ``***``."""
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***@{rest.split('@', 1)[1]}"


def database_error_line(command: str, database_url: str, exc: BackendUnavailableError) -> str:
    """The one line a command prints when the database stopped it, e.g.

    ``flagcore migrate: FLAGCORE_DATABASE_URL=postgresql+asyncpg://***@db:5432/flags: database "flags" does not
    exist (create it, or fix the database name)``.
    """
    cause = exc.reason or (repr(exc.__cause__) if exc.__cause__ is not None else exc.detail)
    return f"flagcore {command}: {DATABASE_SETTING}={redact(database_url)}: {cause}"


def migration_summary(report: MigrationReport, database_url: str) -> str:
    """What ``flagcore migrate`` did, in one line."""
    where = f"({redact(database_url)})"
    if report.newer:
        return f"flagcore migrate: database at {report.revision}, newer than this version: nothing to apply {where}"
    if not report.applied:
        return f"flagcore migrate: already at {report.revision}, nothing to apply {where}"
    return f"flagcore migrate: applied {', '.join(report.applied)}; database at {report.revision} {where}"


async def serving_database_problem(settings: Settings) -> str | None:
    """Why ``flagcore serve`` must not start on this database (``None``: it may).

    A database that cannot be reached, does not exist, refuses the credentials or is not migrated to this version
    would fail every request that needs it; a process started then could not even authenticate callers. So
    ``serve`` says so and exits, and the supervisor (systemd, Kubernetes) retries.
    """
    if settings.uses_memory_storage:
        return None
    from flagcore.adapters.sqlalchemy import create_engine  # noqa: PLC0415 - see the module's docstring
    from flagcore.adapters.sqlalchemy.probe import SqlDatabaseProbe  # noqa: PLC0415

    engine = create_engine(settings.database_url)
    try:
        state = await SqlDatabaseProbe(engine).check()
    finally:
        await engine.dispose()
    if state.ready:
        return None
    return f"flagcore serve: {DATABASE_SETTING}={redact(settings.database_url)}: {state.cause or state.detail}"


async def encryption_key_problem(settings: Settings) -> str | None:
    """Why ``flagcore serve`` must not start for want of an encryption key (``None``: it may).

    Flags with encrypted payloads cannot be served or edited without the key they were encrypted with; starting
    anyway would fail later, flag by flag, instead of once and clearly.
    """
    if settings.uses_memory_storage or settings.encryption_key_list:
        return None
    from flagcore.adapters.crypto import FernetPayloadCipher  # noqa: PLC0415 - see the module's docstring
    from flagcore.adapters.sqlalchemy import SqlFlagRepo, create_engine, create_sessionmaker  # noqa: PLC0415
    from flagcore.app.flags.encryption_check import CheckEncryptionKeys, EncryptionKeysMissingError  # noqa: PLC0415

    engine = create_engine(settings.database_url)
    try:
        check = CheckEncryptionKeys(SqlFlagRepo(create_sessionmaker(engine)), FernetPayloadCipher(()))
        await check.execute()
    except EncryptionKeysMissingError as exc:
        return f"flagcore serve: {exc}"
    finally:
        await engine.dispose()
    return None
