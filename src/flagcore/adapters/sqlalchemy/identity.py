"""SQL identity stores: organizations, projects, users and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import deleted_any, upsert
from flagcore.adapters.sqlalchemy._errors import backend_errors, violates
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.mappers import (
    api_key_from_row,
    membership_from_row,
    organization_from_row,
    project_from_row,
    secret_key_from_row,
    user_from_row,
)
from flagcore.adapters.sqlalchemy.orm import (
    MembershipRow,
    OrganizationRow,
    PersonalApiKeyRow,
    ProjectRow,
    ProjectSecretKeyRow,
    UserRow,
)
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Membership, Organization, PersonalApiKey, Project, ProjectSecretKey, User
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo

_T = TypeVar("_T")


class _SqlStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def _insert(self, row: object, *, constraint: str, columns: str, conflict: InvalidInputError) -> None:
        """Insert ``row``; a violation of the unique ``constraint`` becomes ``conflict``."""
        with backend_errors():
            try:
                async with self._session() as session:
                    session.add(row)
                    await session.flush()  # constraint errors surface here, inside a unit of work too
            except sa_exc.IntegrityError as exc:
                if violates(exc, constraint=constraint, columns=columns):
                    raise conflict from exc
                raise

    async def _one(self, stmt: sa.Select[tuple[_T]]) -> _T | None:
        with backend_errors():
            async with self._session() as session:
                row: _T | None = await session.scalar(stmt)
        return row

    async def _all(self, stmt: sa.Select[tuple[_T]]) -> list[_T]:
        with backend_errors():
            async with self._session() as session:
                return list((await session.scalars(stmt)).all())

    async def _execute(self, stmt: sa.Executable) -> None:
        with backend_errors():
            async with self._session() as session:
                await session.execute(stmt)

    async def _deleted(self, stmt: sa.Delete) -> bool:
        """Run a DELETE; whether it removed a row."""
        with backend_errors():
            async with self._session() as session:
                return await deleted_any(session, stmt)


class SqlOrganizationRepo(_SqlStore, OrganizationRepo):
    async def create(self, organization: Organization) -> Organization:
        row = OrganizationRow(id=organization.id, name=organization.name, created_at=organization.created_at)
        conflict = InvalidInputError("Organization already exists.", attr="id")
        await self._insert(row, constraint="pk_organizations", columns="organizations.id", conflict=conflict)
        return organization_from_row(row)

    async def get(self, organization_id: str) -> Organization | None:
        row = await self._one(sa.select(OrganizationRow).where(OrganizationRow.id == organization_id))
        return organization_from_row(row) if row is not None else None

    async def get_by_name(self, name: str) -> Organization | None:
        stmt = (
            sa.select(OrganizationRow)
            .where(OrganizationRow.name == name)
            .order_by(OrganizationRow.created_at, OrganizationRow.id)
            .limit(1)
        )
        row = await self._one(stmt)
        return organization_from_row(row) if row is not None else None

    async def set_membership(self, membership: Membership) -> None:
        values = {
            "organization_id": membership.organization_id,
            "user_id": membership.user_id,
            "level": int(membership.level),
            "joined_at": membership.joined_at,
        }
        with backend_errors():
            async with self._session() as session:
                # One atomic upsert: a read-then-write would race with a concurrent first membership.
                await session.execute(
                    upsert(
                        session,
                        MembershipRow,
                        values,
                        index_elements=[MembershipRow.organization_id, MembershipRow.user_id],
                        set_=lambda proposed: {"level": proposed.level},
                    )
                )

    async def get_membership(self, organization_id: str, user_id: int) -> Membership | None:
        stmt = sa.select(MembershipRow).where(
            MembershipRow.organization_id == organization_id, MembershipRow.user_id == user_id
        )
        row = await self._one(stmt)
        return membership_from_row(row) if row is not None else None

    async def update(self, organization: Organization) -> None:
        stmt = sa.update(OrganizationRow).where(OrganizationRow.id == organization.id)
        await self._execute(stmt.values(name=organization.name))

    async def list_members(self, organization_id: str) -> list[Membership]:
        stmt = (
            sa.select(MembershipRow)
            .where(MembershipRow.organization_id == organization_id)
            .order_by(MembershipRow.user_id)
        )
        return [membership_from_row(row) for row in await self._all(stmt)]

    async def list_memberships_of_user(self, user_id: int) -> list[Membership]:
        stmt = sa.select(MembershipRow).where(MembershipRow.user_id == user_id).order_by(MembershipRow.organization_id)
        return [membership_from_row(row) for row in await self._all(stmt)]

    async def remove_membership(self, organization_id: str, user_id: int) -> bool:
        stmt = sa.delete(MembershipRow).where(
            MembershipRow.organization_id == organization_id, MembershipRow.user_id == user_id
        )
        return await self._deleted(stmt)


class SqlProjectRepo(_SqlStore, ProjectRepo):
    async def create(
        self, *, organization_id: str, name: str, api_token: str, timezone: str, created_at: datetime
    ) -> Project:
        row = ProjectRow(
            organization_id=organization_id, name=name, api_token=api_token, timezone=timezone, created_at=created_at
        )
        conflict = InvalidInputError("A project with this API token already exists.", attr="api_token")
        await self._insert(row, constraint="uq_projects_api_token", columns="projects.api_token", conflict=conflict)
        return project_from_row(row)

    async def get(self, project_id: int) -> Project | None:
        row = await self._one(sa.select(ProjectRow).where(ProjectRow.id == project_id))
        return project_from_row(row) if row is not None else None

    async def get_by_api_token(self, api_token: str) -> Project | None:
        if "\x00" in api_token:
            return None  # no stored token has one, and PostgreSQL refuses NUL in text: not an outage
        row = await self._one(sa.select(ProjectRow).where(ProjectRow.api_token == api_token))
        return project_from_row(row) if row is not None else None

    async def list_for_organization(self, organization_id: str) -> list[Project]:
        stmt = sa.select(ProjectRow).where(ProjectRow.organization_id == organization_id).order_by(ProjectRow.id)
        return [project_from_row(row) for row in await self._all(stmt)]

    async def add_secret_key(self, key: ProjectSecretKey) -> None:
        row = ProjectSecretKeyRow(
            id=key.id,
            project_id=key.project_id,
            label=key.label,
            secure_value=key.secure_value,
            mask_value=key.mask_value,
            created_at=key.created_at,
        )
        conflict = InvalidInputError("This secret key already exists.", attr="secure_value")
        await self._insert(
            row,
            constraint="uq_project_secret_keys_secure_value",
            columns="project_secret_keys.secure_value",
            conflict=conflict,
        )

    async def get_by_secret_key(self, secure_value: str) -> Project | None:
        if "\x00" in secure_value:
            return None  # see get_by_api_token
        stmt = (
            sa.select(ProjectRow)
            .join(ProjectSecretKeyRow, ProjectSecretKeyRow.project_id == ProjectRow.id)
            .where(ProjectSecretKeyRow.secure_value == secure_value)
        )
        row = await self._one(stmt)
        return project_from_row(row) if row is not None else None

    async def update(self, project: Project) -> None:
        stmt = (
            sa.update(ProjectRow)
            .where(ProjectRow.id == project.id)
            .values(name=project.name, timezone=project.timezone, api_token=project.api_token)
        )
        conflict = InvalidInputError("A project with this API token already exists.", attr="api_token")
        with backend_errors():
            try:
                async with self._session() as session:
                    await session.execute(stmt)
            except sa_exc.IntegrityError as exc:
                if violates(exc, constraint="uq_projects_api_token", columns="projects.api_token"):
                    raise conflict from exc
                raise

    async def list_secret_keys(self, project_id: int) -> list[ProjectSecretKey]:
        stmt = (
            sa.select(ProjectSecretKeyRow)
            .where(ProjectSecretKeyRow.project_id == project_id)
            .order_by(ProjectSecretKeyRow.created_at, ProjectSecretKeyRow.id)
        )
        return [secret_key_from_row(row) for row in await self._all(stmt)]

    async def remove_secret_key(self, project_id: int, key_id: str) -> bool:
        stmt = sa.delete(ProjectSecretKeyRow).where(
            ProjectSecretKeyRow.project_id == project_id, ProjectSecretKeyRow.id == key_id
        )
        return await self._deleted(stmt)


class SqlUserRepo(_SqlStore, UserRepo):
    async def create(self, *, uuid: str, email: str, first_name: str, distinct_id: str, created_at: datetime) -> User:
        row = UserRow(
            uuid=uuid,
            email=email,
            email_lower=email.lower(),
            first_name=first_name,
            last_name="",
            distinct_id=distinct_id,
            current_project_id=None,
            created_at=created_at,
        )
        conflict = InvalidInputError("A user with this email already exists.", code="unique", attr="email")
        await self._insert(row, constraint="uq_users_email_lower", columns="users.email_lower", conflict=conflict)
        return user_from_row(row)

    async def get(self, user_id: int) -> User | None:
        row = await self._one(sa.select(UserRow).where(UserRow.id == user_id))
        return user_from_row(row) if row is not None else None

    async def get_by_email(self, email: str) -> User | None:
        row = await self._one(sa.select(UserRow).where(UserRow.email_lower == email.lower()))
        return user_from_row(row) if row is not None else None

    async def get_by_uuid(self, uuid: str) -> User | None:
        if "\x00" in uuid:
            return None  # see SqlProjectRepo.get_by_api_token
        row = await self._one(sa.select(UserRow).where(UserRow.uuid == uuid))
        return user_from_row(row) if row is not None else None

    async def set_current_project(self, user_id: int, project_id: int) -> None:
        await self._execute(sa.update(UserRow).where(UserRow.id == user_id).values(current_project_id=project_id))


class SqlApiKeyRepo(_SqlStore, ApiKeyRepo):
    async def add(self, key: PersonalApiKey) -> None:
        row = PersonalApiKeyRow(
            id=key.id,
            user_id=key.user_id,
            label=key.label,
            secure_value=key.secure_value,
            mask_value=key.mask_value,
            scopes=list(key.scopes),
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            scoped_teams=list(key.scoped_teams) or None,
            scoped_organizations=list(key.scoped_organizations) or None,
        )
        conflict = InvalidInputError("This API key already exists.", attr="secure_value")
        await self._insert(
            row,
            constraint="uq_personal_api_keys_secure_value",
            columns="personal_api_keys.secure_value",
            conflict=conflict,
        )

    async def get_by_secure_value(self, secure_value: str) -> PersonalApiKey | None:
        if "\x00" in secure_value:
            return None  # see SqlProjectRepo.get_by_api_token
        row = await self._one(sa.select(PersonalApiKeyRow).where(PersonalApiKeyRow.secure_value == secure_value))
        return api_key_from_row(row) if row is not None else None

    async def mark_used(self, key_id: str, when: datetime) -> None:
        await self._execute(
            sa.update(PersonalApiKeyRow).where(PersonalApiKeyRow.id == key_id).values(last_used_at=when)
        )

    async def list_for_user(self, user_id: int) -> list[PersonalApiKey]:
        stmt = (
            sa.select(PersonalApiKeyRow)
            .where(PersonalApiKeyRow.user_id == user_id)
            .order_by(PersonalApiKeyRow.created_at, PersonalApiKeyRow.id)
        )
        return [api_key_from_row(row) for row in await self._all(stmt)]

    async def remove(self, user_id: int, key_id: str) -> bool:
        stmt = sa.delete(PersonalApiKeyRow).where(PersonalApiKeyRow.user_id == user_id, PersonalApiKeyRow.id == key_id)
        return await self._deleted(stmt)
