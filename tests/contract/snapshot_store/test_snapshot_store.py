"""The ``SnapshotStore`` contract (``flagcore.testing.contracts.snapshot_store``) against memory, Redis and S3.

The suite lives in the package so that other adapters run the very same tests; this directory's conftest
provides our adapters as its fixtures.
"""

from flagcore.testing.contracts.snapshot_store import *  # noqa: F403 - the suite's tests, collected here
