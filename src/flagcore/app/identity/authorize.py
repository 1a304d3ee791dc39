"""Use case: authenticate a management request and authorize it for one project and scope."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from flagcore.domain.identity import (
    PROJECT_SECRET_KEY_PREFIX,
    InvalidCredentialsError,
    MissingScopeError,
    NotAuthenticatedError,
    PersonalApiKey,
    Project,
    ProjectAccessDeniedError,
    ProjectNotFoundError,
    SecretKeyNotAllowedError,
    User,
    has_scope,
    hash_secret,
)
from flagcore.domain.ids import parse_id
from flagcore.ports.clock import Clock
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo

CURRENT_PROJECT = "@current"
# Writing last_used_at on every request would turn each read into a write; a coarse timestamp is enough.
_LAST_USED_RESOLUTION = timedelta(hours=1)


class AuthorizeCommand(msgspec.Struct, frozen=True, kw_only=True):
    authorization: str | None
    project: str
    scope: str


class Access(msgspec.Struct, frozen=True, kw_only=True):
    user: User
    project: Project
    key: PersonalApiKey


class Authorize:
    """Resolve ``Authorization: Bearer phx_...`` to a user, then check project membership and key scope."""

    def __init__(
        self, users: UserRepo, projects: ProjectRepo, organizations: OrganizationRepo, keys: ApiKeyRepo, clock: Clock
    ) -> None:
        self._users = users
        self._projects = projects
        self._organizations = organizations
        self._keys = keys
        self._clock = clock

    async def execute(self, cmd: AuthorizeCommand) -> Access:
        """Who is calling, on which project.

        Raises:
            NotAuthenticatedError: no bearer credentials (401).
            InvalidCredentialsError: unknown key (401).
            SecretKeyNotAllowedError: a project secret key on a management route (403).
            ProjectNotFoundError: no such project (404).
            ProjectAccessDeniedError: the user is not a member of the project's organization (403).
            MissingScopeError: the key lacks ``cmd.scope`` (403).
        """
        key, user = await self._authenticate(cmd.authorization)
        project = await self._resolve_project(cmd.project, user)
        if await self._organizations.get_membership(project.organization_id, user.id) is None:
            raise ProjectAccessDeniedError
        if not has_scope(key.scopes, cmd.scope):
            raise MissingScopeError(cmd.scope)
        return Access(user=user, project=project, key=key)

    async def _authenticate(self, authorization: str | None) -> tuple[PersonalApiKey, User]:
        token = _bearer_token(authorization)
        if token is None:
            raise NotAuthenticatedError
        if token.startswith(PROJECT_SECRET_KEY_PREFIX):
            if await self._projects.get_by_secret_key(hash_secret(token)) is None:
                raise InvalidCredentialsError("Project secret API key is invalid.")
            raise SecretKeyNotAllowedError
        key = await self._keys.get_by_secure_value(hash_secret(token))
        user = await self._users.get(key.user_id) if key is not None else None
        if key is None or user is None:
            raise InvalidCredentialsError
        now = self._clock.now()
        if key.last_used_at is None or now - key.last_used_at >= _LAST_USED_RESOLUTION:
            await self._keys.mark_used(key.id, now)
        return key, user

    async def _resolve_project(self, project: str, user: User) -> Project:
        project_id = user.current_project_id if project == CURRENT_PROJECT else parse_id(project)
        found = await self._projects.get(project_id) if project_id is not None else None
        if found is None:
            raise ProjectNotFoundError
        return found


def _bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
