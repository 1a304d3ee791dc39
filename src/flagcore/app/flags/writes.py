"""The end of every flag write: its activity entry, the snapshot invalidation after commit, and the commit.

Every use case that writes a flag (create, update, and later copies, bulk deletes, scheduled changes and approved
change requests) ends here, inside the unit of work it opened, so none of them can forget a step.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

import msgspec

from flagcore.domain.activity import flag_activity
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.identity import Project
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork


async def commit_flag_write(
    uow: UnitOfWork,
    snapshots: ProjectSnapshots,
    *,
    project: Project,
    before: FeatureFlag | None,
    after: FeatureFlag,
    user_id: int | None,
    at: datetime,
    trigger: dict[str, Any] | None = None,
) -> None:
    """Record the write's activity entry, invalidate the project's snapshots once committed, and commit.

    Invalidation comes after the commit, never before: a reader refilling the cache in between would store the old
    snapshot again.
    """
    await record_flag_write(uow, project=project, before=before, after=after, user_id=user_id, at=at, trigger=trigger)
    uow.after_commit(functools.partial(snapshots.invalidate, project.id))
    await uow.commit()


async def record_flag_write(
    uow: UnitOfWork,
    *,
    project: Project,
    before: FeatureFlag | None,
    after: FeatureFlag,
    user_id: int | None,
    at: datetime,
    trigger: dict[str, Any] | None = None,
) -> None:
    """Record one write's activity entry in ``uow`` (for use cases writing several flags before one commit).

    ``trigger`` says what made the change besides its user (an approved change request, a scheduled change).
    """
    entry = flag_activity(
        before, after, entry_id=str(uuid.uuid4()), organization_id=project.organization_id, user_id=user_id, at=at
    )
    if entry is not None and trigger is not None:
        entry = msgspec.structs.replace(entry, detail=msgspec.structs.replace(entry.detail, trigger=trigger))
    if entry is not None:
        await uow.record(entry)
