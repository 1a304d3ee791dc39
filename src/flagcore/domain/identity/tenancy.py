"""Which projects and organizations a personal API key reaches (its ``scoped_teams`` / ``scoped_organizations``).

A key limited to some projects acts only on those projects' routes; organization routes refuse it, as PostHog does
("only supported on project-based views"), because an organization route would reach every project of it. A key
limited to some organizations acts on those organizations and their projects only. The caller is already known to
be a member (non-members get 404 before this check), so refusing with 403 discloses nothing new.
"""

from __future__ import annotations

from flagcore.domain.errors import ForbiddenError
from flagcore.domain.identity.model import PersonalApiKey, Project


class KeyNotScopedToProjectError(ForbiddenError):
    def __init__(self, project_id: int) -> None:
        super().__init__(f"API key does not have access to the requested project: ID {project_id}.")


class KeyNotScopedToOrganizationError(ForbiddenError):
    def __init__(self, organization_id: str) -> None:
        super().__init__(f"API key does not have access to the requested organization: ID {organization_id}.")


class ProjectScopedKeyError(ForbiddenError):
    def __init__(self) -> None:
        super().__init__("API keys with scoped projects are only supported on project-based views.")


def check_key_reaches_project(key: PersonalApiKey, project: Project) -> None:
    """Raise unless the key's tenant scoping admits ``project``.

    Raises:
        KeyNotScopedToProjectError: the key is limited to other projects.
        KeyNotScopedToOrganizationError: the key is limited to other organizations.
    """
    if key.scoped_teams and project.id not in key.scoped_teams:
        raise KeyNotScopedToProjectError(project.id)
    if key.scoped_organizations and project.organization_id not in key.scoped_organizations:
        raise KeyNotScopedToOrganizationError(project.organization_id)


def check_key_reaches_organization(key: PersonalApiKey, organization_id: str) -> None:
    """Raise unless the key may act on the organization as a whole.

    Raises:
        ProjectScopedKeyError: the key is limited to projects.
        KeyNotScopedToOrganizationError: the key is limited to other organizations.
    """
    if key.scoped_teams:
        raise ProjectScopedKeyError
    if key.scoped_organizations and organization_id not in key.scoped_organizations:
        raise KeyNotScopedToOrganizationError(organization_id)


def key_sees_project(key: PersonalApiKey, project: Project) -> bool:
    """Whether the key may see ``project`` in listings (``/api/users/@me/``)."""
    if key.scoped_teams and project.id not in key.scoped_teams:
        return False
    return not key.scoped_organizations or project.organization_id in key.scoped_organizations


def key_sees_organization(key: PersonalApiKey, organization_id: str, project_organizations: set[str]) -> bool:
    """Whether the key may see the organization in listings: it is in scope, or holds one of its scoped projects.

    Args:
        key: the calling key.
        organization_id: the organization listed.
        project_organizations: the organizations of the key's scoped projects.
    """
    if key.scoped_teams:
        return organization_id in project_organizations
    return not key.scoped_organizations or organization_id in key.scoped_organizations
