"""``SyncManifest`` over every unit of work: one transaction per sync activity entries in it; dry runs roll back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from unittest.mock import create_autospec

import pytest

from flagcore.adapters.memory import FixedClock
from flagcore.app.openfeature.manifest import GetManifest
from flagcore.app.openfeature.sync_manifest import ManifestChange, SyncManifest, SyncManifestCommand
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.openfeature import FlagTypeChangeError, ManifestFlag
from flagcore.ports.activity import ActivityQuery
from flagcore.ports.snapshots import ProjectSnapshots
from tests.contract.seed import PROJECT_ID, USER_ID
from tests.contract.unit_of_work.conftest import Backend

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def upsert(key: str, flag_type: Any, default: Any, description: str = "") -> ManifestChange:
    flag = ManifestFlag(key=key, flag_type=flag_type, default_value=default, description=description)
    return ManifestChange(operation="upsert", key=key, flag=flag)


async def sync(backend: Backend, *changes: ManifestChange, dry_run: bool = False) -> tuple[Any, Any]:
    snapshots = create_autospec(ProjectSnapshots, instance=True)
    use_case = SyncManifest(backend.transactions, snapshots, FixedClock(T0))
    cmd = SyncManifestCommand(project_id=PROJECT_ID, user_id=USER_ID, changes=list(changes), dry_run=dry_run)
    return await use_case.execute(cmd), snapshots


async def activity(backend: Backend) -> list[Any]:
    return (await backend.activity.list(ActivityQuery(project_id=PROJECT_ID, limit=100))).items


async def test_a_sync_commits_flags_declarations_and_activity_together(backend: Backend) -> None:
    result, snapshots = await sync(backend, upsert("a", "integer", 3, "A"), upsert("b", "float", 1.0))
    assert [r.outcome for r in result.results] == ["created", "created"]
    snapshots.invalidate.assert_awaited_once_with(PROJECT_ID)
    manifest = await GetManifest(backend.transactions).execute(PROJECT_ID)
    assert [(f.key, f.flag_type, f.default_value, f.description) for f in manifest] == [
        ("a", "integer", 3, "A"),
        ("b", "float", 1.0, ""),
    ]
    entries = await activity(backend)
    assert sorted((e.activity, e.detail.name) for e in entries) == [("created", "a"), ("created", "b")]


async def test_an_unchanged_sync_writes_nothing(backend: Backend) -> None:
    await sync(backend, upsert("a", "string", "x"))
    before = await backend.flags.get_by_key(PROJECT_ID, "a")
    result, snapshots = await sync(backend, upsert("a", "string", "x"))
    assert [r.outcome for r in result.results] == ["unchanged"]
    snapshots.invalidate.assert_not_awaited()
    assert await backend.flags.get_by_key(PROJECT_ID, "a") == before
    assert len(await activity(backend)) == 1


async def test_a_default_change_is_one_activity_entry_with_the_declaration_fields(backend: Backend) -> None:
    await sync(backend, upsert("a", "string", "x"))
    result, _ = await sync(backend, upsert("a", "string", "y"))
    assert result.results[0].outcome == "updated"
    latest = (await activity(backend))[0]
    assert latest.activity == "updated"
    fields = {change.field: (change.before, change.after) for change in latest.detail.changes}
    assert fields["openfeature_default_value"] == ("x", "y")
    assert "filters" in fields  # untouched targeting follows the new default
    flag = await backend.flags.get_by_key(PROJECT_ID, "a")
    assert flag is not None
    assert flag.filters.variant_keys == ("y",)


async def test_a_failing_change_rolls_back_the_whole_sync(backend: Backend) -> None:
    with pytest.raises(InvalidInputError):
        await sync(backend, upsert("good", "boolean", True), upsert("bad", "boolean", "no"))
    assert await backend.flags.get_by_key(PROJECT_ID, "good") is None
    assert await activity(backend) == []


async def test_a_dry_run_reports_and_leaves_nothing(backend: Backend) -> None:
    result, snapshots = await sync(backend, upsert("a", "object", {"k": 1}), dry_run=True)
    assert [r.outcome for r in result.results] == ["created"]
    snapshots.invalidate.assert_not_awaited()
    assert await backend.flags.get_by_key(PROJECT_ID, "a") is None
    assert await activity(backend) == []


async def test_type_changes_conflict_and_archive_soft_deletes(backend: Backend) -> None:
    await sync(backend, upsert("a", "string", "x"))
    with pytest.raises(FlagTypeChangeError):
        await sync(backend, upsert("a", "integer", 1))
    result, _ = await sync(backend, ManifestChange(operation="archive", key="a"))
    assert result.results[0].outcome == "archived"
    assert await backend.flags.get_by_key(PROJECT_ID, "a") is None
    assert (await activity(backend))[0].activity == "deleted"
