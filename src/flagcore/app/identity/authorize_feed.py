"""Use case: who may read a project's definitions feed.

Either a personal API key with ``feature_flag:read`` whose user belongs to the project's organization, or the
project's own secret key (``phs_``). The project comes from ``?token=<phc_ key>`` when given, else from the URL.
"""

from __future__ import annotations

import msgspec

from flagcore.app.identity.authorize import CURRENT_PROJECT, Authorize, AuthorizeCommand
from flagcore.domain.identity import (
    PROJECT_SECRET_KEY_PREFIX,
    InvalidCredentialsError,
    NotAuthenticatedError,
    Project,
    ProjectAccessDeniedError,
    ProjectNotFoundError,
    hash_secret,
)
from flagcore.domain.ids import parse_id
from flagcore.ports.identity import ProjectRepo

FEED_SCOPE = "feature_flag:read"


class AuthorizeFeedCommand(msgspec.Struct, frozen=True, kw_only=True):
    authorization: str | None
    token: str | None
    project: str = CURRENT_PROJECT


class AuthorizeFeed:
    def __init__(self, projects: ProjectRepo, authorize: Authorize) -> None:
        self._projects = projects
        self._authorize = authorize

    async def execute(self, cmd: AuthorizeFeedCommand) -> Project:
        """The project whose feed the caller may read.

        Raises:
            NotAuthenticatedError / InvalidCredentialsError: no or unknown credentials, or an unknown ``token`` (401).
            ProjectAccessDeniedError: a secret key of another project (403).
            and the errors of ``Authorize`` for personal API keys.
        """
        target = await self._token_project(cmd.token) or await self._path_project(cmd.project)
        scheme, _, credential = (cmd.authorization or "").strip().partition(" ")
        credential = credential.strip() if scheme.lower() == "bearer" else ""
        if credential.startswith(PROJECT_SECRET_KEY_PREFIX):
            owner = await self._projects.get_by_secret_key(hash_secret(credential))
            if owner is None:
                raise InvalidCredentialsError("Project secret API key is invalid.")
            if target is not None and target.id != owner.id:
                raise ProjectAccessDeniedError
            return owner
        if not credential:
            raise NotAuthenticatedError
        project = str(target.id) if target is not None else cmd.project
        access = await self._authorize.execute(
            AuthorizeCommand(authorization=cmd.authorization, project=project, scope=FEED_SCOPE)
        )
        return access.project

    async def _path_project(self, project: str) -> Project | None:
        if project == CURRENT_PROJECT:
            return None  # the key decides: a secret key's own project, a user's current project
        project_id = parse_id(project)
        found = await self._projects.get(project_id) if project_id is not None else None
        if found is None:
            raise ProjectNotFoundError
        return found

    async def _token_project(self, token: str | None) -> Project | None:
        if not token:
            return None
        project = await self._projects.get_by_api_token(token)
        if project is None:
            raise InvalidCredentialsError("Project API key invalid. You can find your project API key in settings.")
        return project
