"""The ``UnitOfWork`` contract (``flagcore.testing.contracts.unit_of_work``) against memory, SQLite, PostgreSQL.

The suite lives in the package so that other adapters run the very same tests; this directory's conftest
provides our adapters as its fixtures.
"""

from flagcore.testing.contracts.unit_of_work import *  # noqa: F403 - the suite's tests, collected here
