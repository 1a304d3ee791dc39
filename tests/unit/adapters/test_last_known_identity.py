"""The identity decorators serve the last known rows only while the store is down, and never revive a deleted one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flagcore.adapters.cached import LastKnownApiKeyRepo, LastKnownOrganizationRepo, LastKnownUserRepo
from flagcore.adapters.cached.last_known import LastKnown, StaleServed
from flagcore.adapters.memory import MemoryApiKeyRepo, MemoryOrganizationRepo, MemoryUserRepo
from flagcore.domain.identity import Membership, MembershipLevel, Organization, PersonalApiKey, User
from flagcore.ports.errors import BackendUnavailableError

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _down() -> BackendUnavailableError:
    return BackendUnavailableError("down")


class FlakyKeys(MemoryApiKeyRepo):
    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def get_by_secure_value(self, secure_value: str) -> PersonalApiKey | None:
        if self.down:
            raise _down()
        return await super().get_by_secure_value(secure_value)

    async def mark_used(self, key_id: str, when: datetime) -> None:
        if self.down:
            raise _down()
        await super().mark_used(key_id, when)


class FlakyUsers(MemoryUserRepo):
    down = False

    async def get(self, user_id: int) -> User | None:
        if self.down:
            raise _down()
        return await super().get(user_id)


class FlakyOrganizations(MemoryOrganizationRepo):
    down = False

    async def get_membership(self, organization_id: str, user_id: int) -> Membership | None:
        if self.down:
            raise _down()
        return await super().get_membership(organization_id, user_id)


def _key() -> PersonalApiKey:
    return PersonalApiKey(
        id="k1", user_id=1, label="l", secure_value="sha256$k", mask_value="phx_...", scopes=("*",), created_at=NOW
    )


async def test_a_seen_key_authenticates_through_an_outage_and_mark_used_is_best_effort() -> None:
    inner = FlakyKeys()
    stale = StaleServed("API key")
    keys = LastKnownApiKeyRepo(inner, stale)
    await keys.add(_key())
    assert await keys.get_by_secure_value("sha256$k") == _key()
    inner.down = True
    assert await keys.get_by_secure_value("sha256$k") == _key()
    await keys.mark_used("k1", NOW)  # swallowed: recording use must not refuse an authenticated read
    with pytest.raises(BackendUnavailableError):
        await keys.get_by_secure_value("sha256$unknown")
    assert stale.count == 1


async def test_a_user_and_a_membership_seen_before_the_outage_are_served() -> None:
    users, organizations = FlakyUsers(), FlakyOrganizations()
    cached_users, cached_orgs = LastKnownUserRepo(users), LastKnownOrganizationRepo(organizations)
    user = await cached_users.create(uuid="u", email="a@b.c", first_name="A", distinct_id="d", created_at=NOW)
    await cached_orgs.create(Organization(id="o", name="O", created_at=NOW))
    membership = Membership(organization_id="o", user_id=user.id, level=MembershipLevel.ADMIN)
    await cached_orgs.set_membership(membership)
    assert await cached_users.get(user.id) == user
    assert await cached_orgs.get_membership("o", user.id) == membership
    users.down = organizations.down = True
    assert await cached_users.get(user.id) == user
    assert await cached_orgs.get_membership("o", user.id) == membership
    with pytest.raises(BackendUnavailableError):
        await cached_orgs.get_membership("o", user.id + 1)


async def test_reads_go_through_while_the_store_is_up() -> None:
    users = FlakyUsers()
    cached = LastKnownUserRepo(users)
    user = await cached.create(uuid="u", email="a@b.c", first_name="A", distinct_id="d", created_at=NOW)
    assert await cached.get(user.id) == user
    await cached.set_current_project(user.id, 7)
    assert (await cached.get(user.id)).current_project_id == 7  # type: ignore[union-attr]


async def test_what_the_store_stopped_knowing_is_forgotten_and_the_table_is_bounded() -> None:
    known: LastKnown[str, int] = LastKnown(StaleServed("x"), max_entries=3)
    for index in range(5):
        known.remember(f"k{index}", index)
    assert len(known) == 3
    assert known.get("k0") is None
    assert known.get("k4") == 4
    known.remember("k4", None)
    assert known.get("k4") is None

    async def down() -> int | None:
        raise _down()

    with pytest.raises(BackendUnavailableError):
        await known.load("k4", down)
    assert await known.load("k3", down) == 3
