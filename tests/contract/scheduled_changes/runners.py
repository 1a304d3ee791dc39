"""A store with flags and the scheduled change runner over it, for the executor tests (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flagcore.adapters.crypto import FernetPayloadCipher
from flagcore.adapters.memory import FixedClock
from flagcore.adapters.snapshots import CachedProjectSnapshots, DatabaseSnapshotSource, TieredSnapshotStore
from flagcore.app.flags.changes import FlagChanges
from flagcore.app.flags.create_flag import CreateFlag, CreateFlagCommand
from flagcore.app.flags.update_flag import UpdateFlag
from flagcore.app.scheduled_changes.executor import RunScheduledChanges
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.scheduled_changes import NewScheduledChange, ScheduledChange
from flagcore.ports.activity import ActivityLog, ActivityQuery
from flagcore.ports.flags import FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.scheduled_changes import ScheduledChangeRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.seed import PROJECT_ID, USER_ID

NOW = datetime(2026, 1, 5, 8, tzinfo=UTC)
RETRY_S = 60.0


@dataclass
class Runner:
    transactions: UnitOfWorkFactory
    flags: FlagRepo
    group_types: GroupTypeRepo
    projects: ProjectRepo
    activity: ActivityLog
    changes: ScheduledChangeRepo
    clock: FixedClock

    def __post_init__(self) -> None:
        source = DatabaseSnapshotSource(self.flags, self.group_types, self.projects)
        self.snapshots = CachedProjectSnapshots(TieredSnapshotStore([], source), refresh_s=0)
        self.cipher = FernetPayloadCipher([])

    def update_flag(self) -> UpdateFlag:
        return UpdateFlag(self.transactions, self.snapshots, self.clock, self.cipher)

    def run(self, update_flag: UpdateFlag | None = None) -> RunScheduledChanges:
        return RunScheduledChanges(self.transactions, update_flag or self.update_flag(), self.clock, retry_s=RETRY_S)

    async def flag(self, key: str = "f", filters: dict[str, object] | None = None) -> FeatureFlag:
        fields = FlagChanges(key=key, filters=filters or {"groups": [{"properties": [], "rollout_percentage": 100}]})
        create = CreateFlag(self.transactions, self.snapshots, self.clock, self.cipher)
        return await create.execute(CreateFlagCommand(project_id=PROJECT_ID, user_id=USER_ID, fields=fields))

    async def schedule(self, flag: FeatureFlag, payload: dict[str, object], **fields: object) -> ScheduledChange:
        base: dict[str, object] = {
            "project_id": PROJECT_ID,
            "record_id": str(flag.id),
            "model_name": "FeatureFlag",
            "payload": payload,
            "scheduled_at": self.clock.now(),
            "created_at": self.clock.now(),
            "created_by_id": USER_ID,
            "is_recurring": False,
            "recurrence_interval": None,
            "cron_expression": None,
            "end_date": None,
            "timezone": "UTC",
        }
        async with self.transactions.begin() as uow:
            made = await uow.scheduled_changes.create(NewScheduledChange(**(base | fields)))  # type: ignore[arg-type]
            await uow.commit()
        return made

    async def change(self, change_id: int) -> ScheduledChange:
        found = await self.changes.get(PROJECT_ID, change_id)
        assert found is not None
        return found

    async def activities(self, flag: FeatureFlag) -> list[str]:
        page = await self.activity.list(ActivityQuery(project_id=PROJECT_ID, item_id=str(flag.id), limit=100))
        return [e.activity for e in page.items]


RunnerFactory = Callable[[], Runner]
