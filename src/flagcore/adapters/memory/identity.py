"""In-memory identity stores: organizations, projects, users and API keys."""

from __future__ import annotations

import itertools
from datetime import datetime

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Membership, Organization, PersonalApiKey, Project, ProjectSecretKey, User
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectCredentialCache, ProjectRepo, UserRepo


class MemoryOrganizationRepo(OrganizationRepo):
    def __init__(self) -> None:
        self._orgs: dict[str, Organization] = {}
        self._members: dict[tuple[str, int], Membership] = {}

    def fork(self) -> MemoryOrganizationRepo:
        fork = MemoryOrganizationRepo()
        fork._orgs, fork._members = dict(self._orgs), dict(self._members)
        return fork

    def adopt(self, fork: MemoryOrganizationRepo) -> None:
        self._orgs, self._members = fork._orgs, fork._members

    async def create(self, organization: Organization) -> Organization:
        if organization.id in self._orgs:
            raise InvalidInputError("Organization already exists.", attr="id")
        self._orgs[organization.id] = organization
        return organization

    async def get(self, organization_id: str) -> Organization | None:
        return self._orgs.get(organization_id)

    async def get_by_name(self, name: str) -> Organization | None:
        named = [o for o in self._orgs.values() if o.name == name]
        return min(named, key=lambda o: (o.created_at, o.id), default=None)

    async def set_membership(self, membership: Membership) -> None:
        known = self._members.get((membership.organization_id, membership.user_id))
        if known is not None:  # a level change keeps when the member joined
            membership = msgspec.structs.replace(membership, joined_at=known.joined_at)
        self._members[membership.organization_id, membership.user_id] = membership

    async def get_membership(self, organization_id: str, user_id: int) -> Membership | None:
        return self._members.get((organization_id, user_id))

    async def update(self, organization: Organization) -> None:
        if organization.id in self._orgs:
            self._orgs[organization.id] = organization

    async def list_members(self, organization_id: str) -> list[Membership]:
        return sorted((m for m in self._members.values() if m.organization_id == organization_id), key=_by_user)

    async def list_memberships_of_user(self, user_id: int) -> list[Membership]:
        found = (m for m in self._members.values() if m.user_id == user_id)
        return sorted(found, key=lambda m: m.organization_id)

    async def remove_membership(self, organization_id: str, user_id: int) -> bool:
        return self._members.pop((organization_id, user_id), None) is not None


def _by_user(membership: Membership) -> int:
    return membership.user_id


class MemoryProjectRepo(ProjectRepo):
    def __init__(self) -> None:
        self._projects: dict[int, Project] = {}
        self._secret_keys: dict[str, ProjectSecretKey] = {}
        self._ids = itertools.count(1)

    def fork(self) -> MemoryProjectRepo:
        fork = MemoryProjectRepo()
        fork._projects, fork._secret_keys, fork._ids = dict(self._projects), dict(self._secret_keys), self._ids
        return fork

    def adopt(self, fork: MemoryProjectRepo) -> None:
        self._projects, self._secret_keys = fork._projects, fork._secret_keys

    async def create(
        self, *, organization_id: str, name: str, api_token: str, timezone: str, created_at: datetime
    ) -> Project:
        if any(p.api_token == api_token for p in self._projects.values()):
            raise InvalidInputError("A project with this API token already exists.", attr="api_token")
        project = Project(
            id=next(self._ids),
            organization_id=organization_id,
            name=name,
            api_token=api_token,
            timezone=timezone,
            created_at=created_at,
        )
        self._projects[project.id] = project
        return project

    async def get(self, project_id: int) -> Project | None:
        return self._projects.get(project_id)

    async def get_by_api_token(self, api_token: str) -> Project | None:
        return next((p for p in self._projects.values() if p.api_token == api_token), None)

    async def list_for_organization(self, organization_id: str) -> list[Project]:
        return sorted((p for p in self._projects.values() if p.organization_id == organization_id), key=lambda p: p.id)

    async def add_secret_key(self, key: ProjectSecretKey) -> None:
        self._secret_keys[key.secure_value] = key

    async def get_by_secret_key(self, secure_value: str) -> Project | None:
        key = self._secret_keys.get(secure_value)
        return self._projects.get(key.project_id) if key is not None else None

    async def update(self, project: Project) -> None:
        if project.id not in self._projects:
            return
        if any(p.api_token == project.api_token and p.id != project.id for p in self._projects.values()):
            raise InvalidInputError("A project with this API token already exists.", attr="api_token")
        self._projects[project.id] = project

    async def list_secret_keys(self, project_id: int) -> list[ProjectSecretKey]:
        keys = (k for k in self._secret_keys.values() if k.project_id == project_id)
        return sorted(keys, key=lambda k: (k.created_at, k.id))

    async def remove_secret_key(self, project_id: int, key_id: str) -> bool:
        found = next((k for k in self._secret_keys.values() if k.id == key_id and k.project_id == project_id), None)
        if found is None:
            return False
        del self._secret_keys[found.secure_value]
        return True


class MemoryUserRepo(UserRepo):
    def __init__(self) -> None:
        self._users: dict[int, User] = {}
        self._ids = itertools.count(1)

    def fork(self) -> MemoryUserRepo:
        fork = MemoryUserRepo()
        fork._users, fork._ids = dict(self._users), self._ids
        return fork

    def adopt(self, fork: MemoryUserRepo) -> None:
        self._users = fork._users

    async def create(self, *, uuid: str, email: str, first_name: str, distinct_id: str, created_at: datetime) -> User:
        if await self.get_by_email(email) is not None:
            raise InvalidInputError("A user with this email already exists.", code="unique", attr="email")
        user = User(
            id=next(self._ids),
            uuid=uuid,
            email=email,
            first_name=first_name,
            distinct_id=distinct_id,
            created_at=created_at,
        )
        self._users[user.id] = user
        return user

    async def get(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self._users.values() if u.email.lower() == email.lower()), None)

    async def get_by_uuid(self, uuid: str) -> User | None:
        return next((u for u in self._users.values() if u.uuid == uuid), None)

    async def set_current_project(self, user_id: int, project_id: int) -> None:
        user = self._users.get(user_id)
        if user is not None:
            self._users[user_id] = msgspec.structs.replace(user, current_project_id=project_id)


class MemoryApiKeyRepo(ApiKeyRepo):
    def __init__(self) -> None:
        self._keys: dict[str, PersonalApiKey] = {}

    def fork(self) -> MemoryApiKeyRepo:
        fork = MemoryApiKeyRepo()
        fork._keys = dict(self._keys)
        return fork

    def adopt(self, fork: MemoryApiKeyRepo) -> None:
        self._keys = fork._keys

    async def add(self, key: PersonalApiKey) -> None:
        self._keys[key.id] = key

    async def get_by_secure_value(self, secure_value: str) -> PersonalApiKey | None:
        return next((k for k in self._keys.values() if k.secure_value == secure_value), None)

    async def mark_used(self, key_id: str, when: datetime) -> None:
        key = self._keys.get(key_id)
        if key is not None:
            self._keys[key_id] = msgspec.structs.replace(key, last_used_at=when)

    async def list_for_user(self, user_id: int) -> list[PersonalApiKey]:
        return sorted((k for k in self._keys.values() if k.user_id == user_id), key=lambda k: (k.created_at, k.id))

    async def remove(self, user_id: int, key_id: str) -> bool:
        key = self._keys.get(key_id)
        if key is None or key.user_id != user_id:
            return False
        del self._keys[key_id]
        return True


class NoCredentialCache(ProjectCredentialCache):
    """For stores read on every lookup: there is nothing to forget."""

    def forget_project(self, project_id: int) -> None:
        del project_id
