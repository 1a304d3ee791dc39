"""The ``FlagRepo`` contract (``flagcore.testing.contracts.flag_repo``) against memory, SQLite and PostgreSQL.

The suite lives in the package so that other adapters run the very same tests; this directory's conftest
provides our adapters as its fixtures.
"""

from flagcore.testing.contracts.flag_repo import *  # noqa: F403 - the suite's tests, collected here
