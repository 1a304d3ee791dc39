from __future__ import annotations

from datetime import UTC, datetime

from flagcore.adapters.cached import CachedProjectRepo
from flagcore.adapters.memory import MemoryProjectRepo
from flagcore.domain.identity import Project, ProjectSecretKey

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
