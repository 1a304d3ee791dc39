"""The blast radius scans at most MAX_SCANNED persons in keyset pages, and estimates beyond that."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flagcore.adapters.memory import FixedClock, MemoryCohortRepo
from flagcore.adapters.memory.persons import MemoryGroupRepo, MemoryPersonRepo
from flagcore.app.flags import blast_radius
from flagcore.app.flags.blast_radius import BlastRadius, ComputeBlastRadius
from flagcore.domain.identity import Project
from flagcore.domain.persons import NewPerson

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PROJECT = Project(id=1, organization_id="o", name="p", api_token="phc_x", created_at=NOW)
PRO = {"key": "plan", "type": "person", "operator": "exact", "value": "pro"}


class _CountingPersons(MemoryPersonRepo):
    def __init__(self) -> None:
        super().__init__()
        self.pages: list[int] = []

    async def scan(self, project_id: int, *, after_id: int, limit: int) -> list:  # type: ignore[type-arg]
        found = await super().scan(project_id, after_id=after_id, limit=limit)
        self.pages.append(len(found))
        return found


async def _use_case(plans: list[str]) -> tuple[ComputeBlastRadius, _CountingPersons]:
    persons = _CountingPersons()
    for i, plan in enumerate(plans):
        await persons.create(
            NewPerson(project_id=1, distinct_ids=(f"u{i}",), properties={"plan": plan}, created_at=NOW)
        )
    return ComputeBlastRadius(persons, MemoryGroupRepo(), MemoryCohortRepo(), FixedClock(NOW)), persons


async def test_everyone_is_scanned_in_pages_when_under_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blast_radius, "PAGE", 4)
    use_case, persons = await _use_case(["pro", "free"] * 5)
    assert await use_case.execute(PROJECT, {"properties": [PRO]}, None) == BlastRadius(users_affected=5, total_users=10)
    assert persons.pages == [4, 4, 2, 0]


async def test_beyond_the_bound_the_scanned_share_is_extrapolated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blast_radius, "PAGE", 4)
    monkeypatch.setattr(blast_radius, "MAX_SCANNED", 6)
    use_case, persons = await _use_case(["pro", "pro", "free"] * 4)  # 12 persons; the first 6 hold 4 pros
    assert await use_case.execute(PROJECT, {"properties": [PRO]}, None) == BlastRadius(users_affected=8, total_users=12)
    assert persons.pages == [4, 2]
