"""The port contract suites, one module per port, parametrised by fixtures the caller provides.

Our adapters pass them in ``tests/contract/``; the author of another adapter (another database, another cache)
runs exactly the same tests by importing a suite into a test module and providing its fixture::

    # tests/test_my_flag_repo.py
    from flagcore.testing.contracts.flag_repo import *  # noqa: F403

    @pytest.fixture
    def flag_repo() -> FlagRepo:
        return MyFlagRepo(...)  # with the tenants of flagcore.testing.contracts.ids created

| Suite | Fixture(s) |
|---|---|
| ``flag_repo``, ``flag_repo_list`` | ``flag_repo: FlagRepo`` |
| ``snapshot_store`` | ``snapshot_store: SnapshotStore``, ``store_factory: Callable[[float], SnapshotStore]`` |
| ``quota`` | ``quota_limits: QuotaLimitRepo``, ``usage_counters: UsageCounters``, ``rate_limiter: RateLimiter`` |
| ``unit_of_work`` | ``backend: Backend`` (the factory and the repositories seen from outside a transaction) |

The suites' tests are ``async``: run them with pytest-asyncio in ``asyncio_mode = "auto"``.
"""

import pytest

# Before the suites are imported: their plain ``assert``s then explain failures as in any test module.
pytest.register_assert_rewrite("flagcore.testing.contracts")
