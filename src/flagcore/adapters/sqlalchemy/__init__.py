"""SQL adapters (SQLAlchemy 2, async): SQLite (aiosqlite), PostgreSQL (asyncpg), MySQL/MariaDB (asyncmy)."""

from flagcore.adapters.sqlalchemy.activity import SqlActivityLog
from flagcore.adapters.sqlalchemy.cohorts import SqlCohortRepo
from flagcore.adapters.sqlalchemy.engine import create_engine, create_sessionmaker
from flagcore.adapters.sqlalchemy.flag_repo import SqlFlagRepo
from flagcore.adapters.sqlalchemy.groups import SqlGroupTypeRepo
from flagcore.adapters.sqlalchemy.hash_key_overrides import SqlHashKeyOverrideRepo
from flagcore.adapters.sqlalchemy.identity import SqlApiKeyRepo, SqlOrganizationRepo, SqlProjectRepo, SqlUserRepo
from flagcore.adapters.sqlalchemy.migrate import alembic_config, run_migrations, upgrade_database
from flagcore.adapters.sqlalchemy.persons import SqlGroupRepo, SqlPersonRepo
from flagcore.adapters.sqlalchemy.scheduled_changes import SqlScheduledChangeRepo
from flagcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = (
    "SqlActivityLog",
    "SqlApiKeyRepo",
    "SqlCohortRepo",
    "SqlFlagRepo",
    "SqlGroupRepo",
    "SqlGroupTypeRepo",
    "SqlHashKeyOverrideRepo",
    "SqlOrganizationRepo",
    "SqlPersonRepo",
    "SqlProjectRepo",
    "SqlScheduledChangeRepo",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "SqlUserRepo",
    "alembic_config",
    "create_engine",
    "create_sessionmaker",
    "run_migrations",
    "upgrade_database",
)
