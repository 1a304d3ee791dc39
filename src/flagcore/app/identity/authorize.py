"""Use case: may this principal act on this target? Projects and organizations resolve here, ``@current`` too.

A route declares its target (see ``AccessRule``); the HTTP edge authenticates the caller once, builds the target's
reference from the request (the path, or for legacy routes the key owner's current project or ``?token=``) and asks
this use case. Errors, in order of precedence: bad credentials 401, unknown target or one the caller may not see 404,
missing scope 403.
"""

from __future__ import annotations

import msgspec

from flagcore.domain.errors import NotFoundError
from flagcore.domain.identity import (
    CURRENT,
    InvalidCredentialsError,
    Membership,
    MissingScopeError,
    Organization,
    PersonalApiKey,
    Principal,
    Project,
    ProjectNotFoundError,
    SecretKeyNotAllowedError,
    User,
    has_scope,
)
from flagcore.domain.identity.tenancy import check_key_reaches_organization, check_key_reaches_project
from flagcore.domain.ids import parse_id
from flagcore.ports.identity import OrganizationRepo, ProjectRepo

_MAX_ORGANIZATION_ID = 64  # the column's width: longer ids name no organization
_INVALID_PROJECT_TOKEN = "Project API key invalid. You can find your project API key in settings."  # noqa: S105


class ProjectRef(msgspec.Struct, frozen=True, kw_only=True):
    """How a request names its project: a path segment (an id or ``@current``), or a public token (``?token=``).

    A token, when given, wins; ``@current`` is the secret key's project, or the user's current project.
    """

    path: str = CURRENT
    token: str | None = None


class Access(msgspec.Struct, frozen=True, kw_only=True):
    """A user acting on one project through their personal API key, as a member of its organization."""

    user: User
    key: PersonalApiKey
    project: Project
    membership: Membership


class ProjectGrant(msgspec.Struct, frozen=True, kw_only=True):
    """A project some principal may read: a member's personal key, or the project's own secret key."""

    principal: Principal
    project: Project
    #: The user's membership of the project's organization (None for the project's own secret key).
    membership: Membership | None = None


class OrganizationAccess(msgspec.Struct, frozen=True, kw_only=True):
    """A member acting on their organization through their personal API key."""

    user: User
    key: PersonalApiKey
    organization: Organization
    membership: Membership


class UserAccess(msgspec.Struct, frozen=True, kw_only=True):
    """A user acting on their own resources (their profile, their keys)."""

    user: User
    key: PersonalApiKey


class OrganizationNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


class Authorize:
    def __init__(self, projects: ProjectRepo, organizations: OrganizationRepo) -> None:
        self._projects = projects
        self._organizations = organizations

    async def project(
        self, principal: Principal, ref: ProjectRef, *, scope: str, secret_key: bool = False
    ) -> ProjectGrant:
        """The project ``ref`` names, if the principal may act on it with ``scope``.

        Args:
            principal: the authenticated caller.
            ref: the project's reference in the request.
            scope: the personal key scope the action needs.
            secret_key: whether the project's own secret key may act instead of a personal key.

        Raises:
            InvalidCredentialsError: ``ref.token`` names no project (401).
            SecretKeyNotAllowedError: a secret key where only personal keys may act (403).
            ProjectNotFoundError: no such project, a project of an organization the user is not a member of, or
                another project than the secret key's (404: which project ids exist is not disclosed).
            MissingScopeError: the key lacks ``scope`` (403).
            ForbiddenError: the key is limited to other projects or organizations (403).
        """
        target = await self._token_project(ref.token)
        owner = principal.secret_key_project
        if owner is not None:
            if not secret_key:
                raise SecretKeyNotAllowedError
            target = target or (owner if ref.path == CURRENT else await self._project_by_id(ref.path))
            if target.id != owner.id:
                raise ProjectNotFoundError  # as for any project the caller may not see: existence is not disclosed
            return ProjectGrant(principal=principal, project=owner)
        user, key = _personal(principal)
        if target is None:
            target = await self._project_by_id(str(user.current_project_id) if ref.path == CURRENT else ref.path)
        membership = await self._organizations.get_membership(target.organization_id, user.id)
        if membership is None:
            # 404, not 403: another organization's project ids must not be told apart from unused ones.
            raise ProjectNotFoundError
        if not has_scope(key.scopes, scope):
            raise MissingScopeError(scope)
        check_key_reaches_project(key, target)
        return ProjectGrant(principal=principal, project=target, membership=membership)

    async def personal(self, principal: Principal, ref: ProjectRef, *, scope: str) -> Access:
        """Like :meth:`project` for personal API keys only (management routes)."""
        grant = await self.project(principal, ref, scope=scope)
        user, key = _personal(grant.principal)
        if grant.membership is None:  # a personal key's grant always carries the membership it was checked on
            raise ProjectNotFoundError
        return Access(user=user, key=key, project=grant.project, membership=grant.membership)

    async def organization(self, principal: Principal, ref: str, *, scope: str) -> OrganizationAccess:
        """The organization ``ref`` names (an id, or ``@current``: the user's current project's organization).

        Raises:
            SecretKeyNotAllowedError: a project secret key (403).
            OrganizationNotFoundError: no such organization, or the user is not a member (404: an organization's
                existence is not disclosed to outsiders).
            MissingScopeError: the key lacks ``scope`` (403).
            ForbiddenError: the key is limited to projects, or to other organizations (403).
        """
        user, key = _personal(principal)
        organization_id = ref
        if ref == CURRENT:
            current = await self._projects.get(user.current_project_id) if user.current_project_id else None
            organization_id = current.organization_id if current is not None else ""
        valid = 0 < len(organization_id) <= _MAX_ORGANIZATION_ID and "\x00" not in organization_id
        membership = await self._organizations.get_membership(organization_id, user.id) if valid else None
        organization = await self._organizations.get(organization_id) if membership is not None else None
        if membership is None or organization is None:
            raise OrganizationNotFoundError
        if not has_scope(key.scopes, scope):
            raise MissingScopeError(scope)
        check_key_reaches_organization(key, organization.id)
        return OrganizationAccess(user=user, key=key, organization=organization, membership=membership)

    async def user(self, principal: Principal, *, scope: str | None) -> UserAccess:
        """The calling user, if their key has ``scope`` (None: any valid personal key).

        Raises:
            SecretKeyNotAllowedError: a project secret key (403).
            MissingScopeError: the key lacks ``scope`` (403).
        """
        user, key = _personal(principal)
        if scope is not None and not has_scope(key.scopes, scope):
            raise MissingScopeError(scope)
        return UserAccess(user=user, key=key)

    async def _project_by_id(self, raw: str) -> Project:
        project_id = parse_id(raw)
        found = await self._projects.get(project_id) if project_id is not None else None
        if found is None:
            raise ProjectNotFoundError
        return found

    async def _token_project(self, token: str | None) -> Project | None:
        if not token:
            return None
        project = await self._projects.get_by_api_token(token)
        if project is None:
            raise InvalidCredentialsError(_INVALID_PROJECT_TOKEN)
        return project


def _personal(principal: Principal) -> tuple[User, PersonalApiKey]:
    if principal.user is None or principal.key is None:
        raise SecretKeyNotAllowedError
    return principal.user, principal.key
