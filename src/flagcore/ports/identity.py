"""Storage of organizations, projects, users and API keys."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from flagcore.domain.identity import (
    Membership,
    Organization,
    PersonalApiKey,
    Project,
    ProjectSecretKey,
    User,
)


class OrganizationRepo(Protocol):
    """Organizations and who belongs to them."""

    @abstractmethod
    async def create(self, organization: Organization) -> Organization:
        """Store a new organization (its id is chosen by the caller)."""
        ...

    @abstractmethod
    async def get(self, organization_id: str) -> Organization | None:
        """The organization, or None."""
        ...

    @abstractmethod
    async def get_by_name(self, name: str) -> Organization | None:
        """The oldest organization with exactly this name, or None."""
        ...

    @abstractmethod
    async def set_membership(self, membership: Membership) -> None:
        """Add the user to the organization, or change their level if already a member."""
        ...

    @abstractmethod
    async def get_membership(self, organization_id: str, user_id: int) -> Membership | None:
        """The user's membership of the organization, or None if not a member."""
        ...

    @abstractmethod
    async def update(self, organization: Organization) -> None:
        """Store the organization's new name (unknown ids are ignored)."""
        ...

    @abstractmethod
    async def list_members(self, organization_id: str) -> list[Membership]:
        """The organization's memberships, by user id."""
        ...

    @abstractmethod
    async def list_memberships_of_user(self, user_id: int) -> list[Membership]:
        """The user's memberships, by organization id."""
        ...

    @abstractmethod
    async def remove_membership(self, organization_id: str, user_id: int) -> bool:
        """Remove the user from the organization; False if they were not a member."""
        ...


class ProjectRepo(Protocol):
    """Projects and their secret keys."""

    @abstractmethod
    async def create(
        self, *, organization_id: str, name: str, api_token: str, timezone: str, created_at: datetime
    ) -> Project:
        """Store a new project with a fresh integer id.

        Raises:
            InvalidInputError: the api_token is already used by another project.
        """
        ...

    @abstractmethod
    async def get(self, project_id: int) -> Project | None:
        """The project, or None."""
        ...

    @abstractmethod
    async def get_by_api_token(self, api_token: str) -> Project | None:
        """The project whose public key (``phc_``) this is, or None."""
        ...

    @abstractmethod
    async def list_for_organization(self, organization_id: str) -> list[Project]:
        """The organization's projects, oldest first."""
        ...

    @abstractmethod
    async def add_secret_key(self, key: ProjectSecretKey) -> None:
        """Store a secret key (hashed by the caller) for its project."""
        ...

    @abstractmethod
    async def get_by_secret_key(self, secure_value: str) -> Project | None:
        """The project owning the secret key with this hash, or None."""
        ...

    @abstractmethod
    async def update(self, project: Project) -> None:
        """Store the project's name, timezone and public token (unknown ids are ignored).

        Raises:
            InvalidInputError: the api_token is already used by another project.
        """
        ...

    @abstractmethod
    async def list_secret_keys(self, project_id: int) -> list[ProjectSecretKey]:
        """The project's secret keys (hashed), oldest first."""
        ...

    @abstractmethod
    async def remove_secret_key(self, project_id: int, key_id: str) -> bool:
        """Revoke the project's secret key; False if the project has no key with this id."""
        ...


class ProjectCredentialCache(Protocol):
    """Credential lookups a process remembers (public tokens, secret keys): dropped when a project changes."""

    @abstractmethod
    def forget_project(self, project_id: int) -> None:
        """Forget every remembered credential of the project, so the next lookup reads the store."""
        ...


class UserRepo(Protocol):
    """Users."""

    @abstractmethod
    async def create(self, *, uuid: str, email: str, first_name: str, distinct_id: str, created_at: datetime) -> User:
        """Store a new user with a fresh integer id.

        Raises:
            InvalidInputError: the email is already taken (compared case-insensitively).
        """
        ...

    @abstractmethod
    async def get(self, user_id: int) -> User | None:
        """The user, or None."""
        ...

    @abstractmethod
    async def get_by_email(self, email: str) -> User | None:
        """The user with this email (case-insensitive), or None."""
        ...

    @abstractmethod
    async def get_by_uuid(self, uuid: str) -> User | None:
        """The user with this uuid, or None."""
        ...

    @abstractmethod
    async def set_current_project(self, user_id: int, project_id: int) -> None:
        """Make ``project_id`` the user's current project (what ``@current`` resolves to)."""
        ...


class ApiKeyRepo(Protocol):
    """Personal API keys."""

    @abstractmethod
    async def add(self, key: PersonalApiKey) -> None:
        """Store a key (hashed by the caller)."""
        ...

    @abstractmethod
    async def get_by_secure_value(self, secure_value: str) -> PersonalApiKey | None:
        """The key with this hash, or None."""
        ...

    @abstractmethod
    async def mark_used(self, key_id: str, when: datetime) -> None:
        """Record that the key was used at ``when`` (best effort; unknown ids are ignored)."""
        ...

    @abstractmethod
    async def list_for_user(self, user_id: int) -> list[PersonalApiKey]:
        """The user's keys, oldest first."""
        ...

    @abstractmethod
    async def remove(self, user_id: int, key_id: str) -> bool:
        """Delete the user's key; False if the user has no key with this id."""
        ...
