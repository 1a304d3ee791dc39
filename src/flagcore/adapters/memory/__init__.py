"""In-memory adapters: first-class implementations of every port, used for dev runs and as the contract reference."""

from flagcore.adapters.memory.activity import MemoryActivityLog
from flagcore.adapters.memory.clock import FixedClock, SystemClock
from flagcore.adapters.memory.cohorts import MemoryCohortRepo
from flagcore.adapters.memory.flag_repo import MemoryFlagRepo
from flagcore.adapters.memory.groups import MemoryGroupTypeRepo
from flagcore.adapters.memory.hash_key_overrides import MemoryHashKeyOverrideRepo
from flagcore.adapters.memory.identity import (
    MemoryApiKeyRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryUserRepo,
    NoCredentialCache,
)
from flagcore.adapters.memory.invalidations import MemoryInvalidationBus, MemoryInvalidationListener
from flagcore.adapters.memory.persons import MemoryGroupRepo, MemoryPersonRepo
from flagcore.adapters.memory.scheduled_changes import MemoryScheduledChangeRepo
from flagcore.adapters.memory.snapshot_store import MemorySnapshotStore
from flagcore.adapters.memory.unit_of_work import MemoryStores, MemoryUnitOfWork, MemoryUnitOfWorkFactory

__all__ = (
    "FixedClock",
    "MemoryActivityLog",
    "MemoryApiKeyRepo",
    "MemoryCohortRepo",
    "MemoryFlagRepo",
    "MemoryGroupRepo",
    "MemoryGroupTypeRepo",
    "MemoryHashKeyOverrideRepo",
    "MemoryInvalidationBus",
    "MemoryInvalidationListener",
    "MemoryOrganizationRepo",
    "MemoryPersonRepo",
    "MemoryProjectRepo",
    "MemoryScheduledChangeRepo",
    "MemorySnapshotStore",
    "MemoryStores",
    "MemoryUnitOfWork",
    "MemoryUnitOfWorkFactory",
    "MemoryUserRepo",
    "NoCredentialCache",
    "SystemClock",
)
