"""Identity stores that answer the reads of authentication from the last known rows while the database is down.

A personal API key is checked on every definitions poll of a server SDK (key, user, membership). These decorators
read through on every call, so they change nothing while the store is up; during an outage they serve what this
process last read (see ``last_known``), so the feed keeps serving from the snapshot tiers. Writes pass through and
fail as before, except ``mark_used``, which the port defines as best effort.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flagcore.adapters.cached.last_known import LastKnown, StaleServed
from flagcore.domain.identity import Membership, Organization, PersonalApiKey, User
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, UserRepo

logger = logging.getLogger("flagcore.cached")


class LastKnownApiKeyRepo(ApiKeyRepo):
    def __init__(self, inner: ApiKeyRepo, stale: StaleServed | None = None) -> None:
        self._inner = inner
        self._known: LastKnown[str, PersonalApiKey] = LastKnown(stale or StaleServed("API key"))

    async def get_by_secure_value(self, secure_value: str) -> PersonalApiKey | None:
        return await self._known.load(secure_value, lambda: self._inner.get_by_secure_value(secure_value))

    async def mark_used(self, key_id: str, when: datetime) -> None:
        try:
            await self._inner.mark_used(key_id, when)
        except BackendUnavailableError:
            # Best effort by contract: an outage must not turn an authenticated read into a 503.
            logger.debug("could not record the use of API key %s: store unavailable", key_id)

    async def add(self, key: PersonalApiKey) -> None:
        await self._inner.add(key)

    async def list_for_user(self, user_id: int) -> list[PersonalApiKey]:
        return await self._inner.list_for_user(user_id)

    async def remove(self, user_id: int, key_id: str) -> bool:
        return await self._inner.remove(user_id, key_id)


class LastKnownUserRepo(UserRepo):
    def __init__(self, inner: UserRepo, stale: StaleServed | None = None) -> None:
        self._inner = inner
        self._known: LastKnown[int, User] = LastKnown(stale or StaleServed("user"))

    async def get(self, user_id: int) -> User | None:
        return await self._known.load(user_id, lambda: self._inner.get(user_id))

    async def create(self, *, uuid: str, email: str, first_name: str, distinct_id: str, created_at: datetime) -> User:
        return await self._inner.create(
            uuid=uuid, email=email, first_name=first_name, distinct_id=distinct_id, created_at=created_at
        )

    async def get_by_email(self, email: str) -> User | None:
        return await self._inner.get_by_email(email)

    async def get_by_uuid(self, uuid: str) -> User | None:
        return await self._inner.get_by_uuid(uuid)

    async def set_current_project(self, user_id: int, project_id: int) -> None:
        await self._inner.set_current_project(user_id, project_id)


class LastKnownOrganizationRepo(OrganizationRepo):
    def __init__(self, inner: OrganizationRepo, stale: StaleServed | None = None) -> None:
        self._inner = inner
        self._known: LastKnown[tuple[str, int], Membership] = LastKnown(stale or StaleServed("membership"))

    async def get_membership(self, organization_id: str, user_id: int) -> Membership | None:
        return await self._known.load(
            (organization_id, user_id), lambda: self._inner.get_membership(organization_id, user_id)
        )

    async def set_membership(self, membership: Membership) -> None:
        await self._inner.set_membership(membership)

    async def create(self, organization: Organization) -> Organization:
        return await self._inner.create(organization)

    async def get(self, organization_id: str) -> Organization | None:
        return await self._inner.get(organization_id)

    async def get_by_name(self, name: str) -> Organization | None:
        return await self._inner.get_by_name(name)

    async def update(self, organization: Organization) -> None:
        await self._inner.update(organization)

    async def list_members(self, organization_id: str) -> list[Membership]:
        return await self._inner.list_members(organization_id)

    async def list_memberships_of_user(self, user_id: int) -> list[Membership]:
        return await self._inner.list_memberships_of_user(user_id)

    async def remove_membership(self, organization_id: str, user_id: int) -> bool:
        removed = await self._inner.remove_membership(organization_id, user_id)
        self._known.remember((organization_id, user_id), None)
        return removed
