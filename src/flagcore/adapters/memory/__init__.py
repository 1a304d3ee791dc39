"""In-memory adapters: first-class implementations of every port, used for dev runs and as the contract reference."""

from flagcore.adapters.memory.clock import FixedClock, SystemClock
from flagcore.adapters.memory.flag_repo import MemoryFlagRepo
from flagcore.adapters.memory.groups import MemoryGroupTypeRepo
from flagcore.adapters.memory.hash_key_overrides import MemoryHashKeyOverrideRepo
from flagcore.adapters.memory.identity import (
    MemoryApiKeyRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryUserRepo,
)

__all__ = (
    "FixedClock",
    "MemoryApiKeyRepo",
    "MemoryFlagRepo",
    "MemoryGroupTypeRepo",
    "MemoryHashKeyOverrideRepo",
    "MemoryOrganizationRepo",
    "MemoryProjectRepo",
    "MemoryUserRepo",
    "SystemClock",
)
