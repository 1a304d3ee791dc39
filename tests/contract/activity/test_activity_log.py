"""The ``ActivityLog`` contract: entries kept exactly, newest first, filtered by project, scope and item, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagcore.domain.activity import ActivityDetail, ActivityEntry, FieldChange
from flagcore.domain.errors import InvalidInputError
from flagcore.ports.activity import ActivityLog, ActivityQuery

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def entry(entry_id: str, *, at: datetime = T0, project_id: int = 1, scope: str = "FeatureFlag", item: str = "1"):
    return ActivityEntry(
        id=entry_id,
        organization_id="org",
        project_id=project_id,
        user_id=7,
        scope=scope,
        item_id=item,
        activity="updated",
        detail=ActivityDetail(
            name="flag-key",
            changes=(
                FieldChange(type="FeatureFlag", action="changed", field="active", before=True, after=False),
                FieldChange(type="FeatureFlag", action="changed", field="filters", before={"a": [1]}, after={}),
            ),
            trigger={"job_type": "scheduled_change", "job_id": "9"},
        ),
        created_at=at,
    )


async def test_an_entry_is_returned_exactly(activity_log: ActivityLog) -> None:
    stored = entry("e1")
    await activity_log.add(stored)
    page = await activity_log.list(ActivityQuery(project_id=1))
    assert page.total_count == 1
    assert page.items == [stored]


async def test_newest_first_and_ties_by_insertion_later_first(activity_log: ActivityLog) -> None:
    await activity_log.add(entry("old", at=T0))
    await activity_log.add(entry("tie-a", at=T0 + timedelta(seconds=1)))
    await activity_log.add(entry("tie-b", at=T0 + timedelta(seconds=1)))
    page = await activity_log.list(ActivityQuery(project_id=1))
    assert [e.id for e in page.items] == ["tie-b", "tie-a", "old"]


async def test_filters_and_pages(activity_log: ActivityLog) -> None:
    for index in range(5):
        await activity_log.add(entry(f"flag1-{index}", at=T0 + timedelta(minutes=index), item="1"))
    await activity_log.add(entry("flag2", item="2"))
    await activity_log.add(entry("other-project", project_id=2))
    await activity_log.add(entry("other-scope", scope="Cohort"))
    page = await activity_log.list(ActivityQuery(project_id=1, scope="FeatureFlag", item_id="1", limit=2, offset=1))
    assert page.total_count == 5
    assert [e.id for e in page.items] == ["flag1-3", "flag1-2"]
    everything = await activity_log.list(ActivityQuery(project_id=1, limit=100))
    assert "other-project" not in [e.id for e in everything.items]
    assert everything.total_count == 7


async def test_an_id_is_stored_once(activity_log: ActivityLog) -> None:
    await activity_log.add(entry("same"))
    with pytest.raises((InvalidInputError, Exception)):
        await activity_log.add(entry("same"))
