from __future__ import annotations

import logging
from datetime import UTC, datetime

import msgspec
import pytest

from flagcore.adapters.cached import CachedProjectRepo
from flagcore.adapters.memory import MemoryProjectRepo
from flagcore.domain.identity import Project, ProjectSecretKey
from flagcore.ports.errors import BackendUnavailableError

NOW = datetime(2025, 1, 1, tzinfo=UTC)


class CountingRepo(MemoryProjectRepo):
    def __init__(self) -> None:
        super().__init__()
        self.token_reads = 0

    async def get_by_api_token(self, api_token: str) -> Project | None:
        self.token_reads += 1
        return await super().get_by_api_token(api_token)


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_token_lookups_are_remembered_for_the_ttl() -> None:
    inner, clock = CountingRepo(), Clock()
    repo = CachedProjectRepo(inner, ttl_s=5, miss_ttl_s=1, monotonic=clock)
    project = await repo.create(organization_id="o", name="p", api_token="phc_a", timezone="UTC", created_at=NOW)
    for _ in range(10):
        assert await repo.get_by_api_token("phc_a") == project
    assert inner.token_reads == 1
    clock.now += 5.1
    await repo.get_by_api_token("phc_a")
    assert inner.token_reads == 2


async def test_misses_are_remembered_briefly_and_creation_clears_them() -> None:
    inner, clock = CountingRepo(), Clock()
    repo = CachedProjectRepo(inner, ttl_s=5, miss_ttl_s=1, monotonic=clock)
    assert await repo.get_by_api_token("phc_new") is None
    assert await repo.get_by_api_token("phc_new") is None
    assert inner.token_reads == 1
    created = await repo.create(organization_id="o", name="p", api_token="phc_new", timezone="UTC", created_at=NOW)
    assert await repo.get_by_api_token("phc_new") == created


async def test_secret_keys_are_found_once_added() -> None:
    repo = CachedProjectRepo(MemoryProjectRepo())
    project = await repo.create(organization_id="o", name="p", api_token="phc_a", timezone="UTC", created_at=NOW)
    assert await repo.get_by_secret_key("sha256$x") is None
    await repo.add_secret_key(
        ProjectSecretKey(
            id="k", project_id=project.id, label="", secure_value="sha256$x", mask_value="", created_at=NOW
        )
    )
    assert await repo.get_by_secret_key("sha256$x") == project


async def test_the_table_is_bounded() -> None:
    inner = CountingRepo()
    repo = CachedProjectRepo(inner)
    for index in range(10_050):
        await repo.get_by_api_token(f"phc_{index}")
    assert len(repo._by_token) <= 10_000


class FlakyRepo(MemoryProjectRepo):
    """A project store that can go down: every read raises ``BackendUnavailableError`` while ``down``."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.reads = 0

    def _check(self) -> None:
        self.reads += 1
        if self.down:
            raise BackendUnavailableError

    async def get_by_api_token(self, api_token: str) -> Project | None:
        self._check()
        return await super().get_by_api_token(api_token)

    async def get_by_secret_key(self, secure_value: str) -> Project | None:
        self._check()
        return await super().get_by_secret_key(secure_value)

    async def get(self, project_id: int) -> Project | None:
        self._check()
        return await super().get(project_id)


async def _flaky() -> tuple[FlakyRepo, Clock, CachedProjectRepo, Project]:
    inner, clock = FlakyRepo(), Clock()
    repo = CachedProjectRepo(inner, ttl_s=5, miss_ttl_s=1, monotonic=clock)
    project = await repo.create(organization_id="o", name="p", api_token="phc_a", timezone="UTC", created_at=NOW)
    return inner, clock, repo, project


class Records(logging.Handler):
    """Collects a logger's records (the suite may run with pytest's logging plugin, hence caplog, disabled)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


async def test_a_seen_token_still_resolves_when_the_store_is_down_however_old() -> None:
    inner, clock, repo, project = await _flaky()
    assert await repo.get_by_api_token("phc_a") == project
    inner.down = True
    clock.now += 3600  # far past the TTL: stale-if-error has no age limit
    records, log = Records(), logging.getLogger("flagcore.cached")
    log.addHandler(records)
    try:
        assert await repo.get_by_api_token("phc_a") == project
    finally:
        log.removeHandler(records)
    assert repo.stale_served == 1
    assert any("project store unavailable" in message for message in records.messages)


async def test_an_unavailable_store_is_retried_per_ttl_not_per_lookup() -> None:
    inner, clock, repo, project = await _flaky()
    await repo.get_by_api_token("phc_a")
    inner.down = True
    clock.now += 6
    reads = inner.reads
    for _ in range(20):
        assert await repo.get_by_api_token("phc_a") == project
    assert inner.reads == reads + 1
    clock.now += 5.1
    inner.down = False
    assert await repo.get_by_api_token("phc_a") == project
    assert inner.reads == reads + 2


async def test_a_token_never_seen_fails_while_the_store_is_down() -> None:
    inner, _, repo, _ = await _flaky()
    inner.down = True
    with pytest.raises(BackendUnavailableError):
        await repo.get_by_api_token("phc_a")
    with pytest.raises(BackendUnavailableError):
        await repo.get_by_api_token("phc_never")


async def test_a_token_the_store_no_longer_knows_is_not_revived_by_an_outage() -> None:
    inner, clock, repo, _ = await _flaky()
    await repo.get_by_api_token("phc_a")
    inner._projects.clear()  # the project disappears from the store (deleted elsewhere)
    clock.now += 6
    assert await repo.get_by_api_token("phc_a") is None
    inner.down = True
    clock.now += 6
    with pytest.raises(BackendUnavailableError):
        await repo.get_by_api_token("phc_a")


async def test_secret_keys_and_project_ids_are_served_stale_too() -> None:
    inner, clock, repo, project = await _flaky()
    await repo.add_secret_key(
        ProjectSecretKey(
            id="k", project_id=project.id, label="", secure_value="sha256$s", mask_value="", created_at=NOW
        )
    )
    assert await repo.get_by_secret_key("sha256$s") == project
    inner.down = True
    clock.now += 6
    assert await repo.get_by_secret_key("sha256$s") == project
    # The id was learnt from the credential lookup, without a get() before the outage.
    assert await repo.get(project.id) == project
    with pytest.raises(BackendUnavailableError):
        await repo.get(project.id + 1)


async def test_get_reads_through_while_the_store_is_up() -> None:
    inner, _, repo, project = await _flaky()
    reads = inner.reads
    assert await repo.get(project.id) == project
    assert await repo.get(project.id) == project
    assert inner.reads == reads + 2


async def test_forget_project_retires_a_rotated_token_at_once_even_during_an_outage() -> None:
    inner, clock = FlakyRepo(), Clock()
    repo = CachedProjectRepo(inner, ttl_s=5, miss_ttl_s=1, monotonic=clock)
    project = await repo.create(organization_id="o", name="p", api_token="phc_old", timezone="UTC", created_at=NOW)
    other = await repo.create(organization_id="o", name="q", api_token="phc_other", timezone="UTC", created_at=NOW)
    assert await repo.get_by_api_token("phc_old") == project
    assert await repo.get_by_api_token("phc_other") == other
    # Rotated behind the cache's back (a unit of work writes to the store, not through this decorator).
    rotated = Project(**{**msgspec.structs.asdict(project), "api_token": "phc_new"})
    await inner.update(rotated)
    assert await repo.get_by_api_token("phc_old") == project  # still cached: the TTL has not run out
    repo.forget_project(project.id)
    assert await repo.get_by_api_token("phc_old") is None
    assert await repo.get_by_api_token("phc_new") == rotated
    inner.down = True
    clock.now += 5.1
    with pytest.raises(BackendUnavailableError):
        await repo.get_by_api_token("phc_old")  # never answered from the last known value once forgotten
    assert await repo.get_by_api_token("phc_other") == other  # served stale: other projects' credentials are kept


async def test_update_through_the_decorator_forgets_the_projects_credentials() -> None:
    repo = CachedProjectRepo(MemoryProjectRepo())
    project = await repo.create(organization_id="o", name="p", api_token="phc_old", timezone="UTC", created_at=NOW)
    assert await repo.get_by_api_token("phc_old") == project
    await repo.update(Project(**{**msgspec.structs.asdict(project), "api_token": "phc_new"}))
    assert await repo.get_by_api_token("phc_old") is None
