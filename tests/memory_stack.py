"""The app's stores, unit of work and snapshot stack over memory adapters, wired by hand for use-case tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flagcore.adapters.crypto import FernetPayloadCipher
from flagcore.adapters.memory import (
    FixedClock,
    MemoryActivityLog,
    MemoryApiKeyRepo,
    MemoryFlagRepo,
    MemoryGroupTypeRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryStores,
    MemoryUnitOfWorkFactory,
    MemoryUserRepo,
)
from flagcore.adapters.snapshots import CachedProjectSnapshots, DatabaseSnapshotSource, TieredSnapshotStore
from flagcore.app.flags.create_flag import CreateFlag
from flagcore.app.flags.update_flag import UpdateFlag
from flagcore.ports.unit_of_work import UnitOfWorkFactory

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def memory_stores() -> MemoryStores:
    return MemoryStores(
        flags=MemoryFlagRepo(),
        group_types=MemoryGroupTypeRepo(),
        organizations=MemoryOrganizationRepo(),
        projects=MemoryProjectRepo(),
        users=MemoryUserRepo(),
        keys=MemoryApiKeyRepo(),
        activity=MemoryActivityLog(),
    )


@dataclass
class MemoryStack:
    """Stores, transactions over them, and the snapshot stack the serving paths read (no cache tiers)."""

    stores: MemoryStores = field(default_factory=memory_stores)
    clock: FixedClock = field(default_factory=lambda: FixedClock(EPOCH))
    transactions: UnitOfWorkFactory | None = None

    def __post_init__(self) -> None:
        if self.transactions is None:
            self.transactions = MemoryUnitOfWorkFactory(self.stores)
        source = DatabaseSnapshotSource(self.stores.flags, self.stores.group_types, self.stores.projects)
        self.snapshots = CachedProjectSnapshots(TieredSnapshotStore([], source), refresh_s=0)

    @property
    def uow(self) -> UnitOfWorkFactory:
        assert self.transactions is not None
        return self.transactions

    def create_flag(self) -> CreateFlag:
        return CreateFlag(self.uow, self.snapshots, self.clock, FernetPayloadCipher([]))

    def update_flag(self) -> UpdateFlag:
        return UpdateFlag(self.uow, self.snapshots, self.clock, FernetPayloadCipher([]))
