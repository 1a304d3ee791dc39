"""The identity part of a seed: organizations, users, memberships, projects and their fixed keys.

Written like ``Bootstrap`` writes the defaults, in one unit of work per organization; the given keys are stored as
their hashes (the identity ports never hold a secret), so a seed can fix keys that tests then send.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from flagcore.app.identity.tokens import new_token
from flagcore.app.seeding.schema import SeedOrganization, SeedProject, SeedUser
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import (
    PROJECT_API_KEY_PREFIX,
    PROJECT_SECRET_KEY_PREFIX,
    Membership,
    MembershipLevel,
    Organization,
    PersonalApiKey,
    Project,
    ProjectSecretKey,
    hash_secret,
    mask_secret,
    validate_scopes,
)
from flagcore.domain.identity.naming import validate_email, validate_name, validate_timezone
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import UnitOfWork

T = TypeVar("T")
_LEVELS = {"member": MembershipLevel.MEMBER, "admin": MembershipLevel.ADMIN, "owner": MembershipLevel.OWNER}


class SeededProject(msgspec.Struct, frozen=True, kw_only=True):
    """A project the seed created, with the keys a client needs (secrets as given, or freshly minted)."""

    id: int
    organization_id: str
    name: str
    api_token: str
    secret_api_keys: list[str]


class SeededUser(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    email: str
    personal_api_keys: list[str]


async def seed_organization(
    uow: UnitOfWork, org: SeedOrganization, clock: Clock, *, path: str
) -> tuple[Organization, list[SeededUser], list[tuple[Project, list[str]]]]:
    """Create the organization, its users and its projects inside ``uow`` (the caller commits).

    Raises:
        InvalidInputError: a bad name, email, timezone or scope, or a taken name, email or key (``attr`` is the
            path inside the seed).
    """
    now = clock.now()
    name = validate_name(org.name, attr=f"{path}.name")
    if await uow.organizations.get_by_name(name) is not None:
        raise InvalidInputError(f"An organization named {name!r} already exists.", attr=f"{path}.name")
    organization = await uow.organizations.create(Organization(id=str(uuid.uuid4()), name=name, created_at=now))
    projects = [
        await _project(uow, organization, project, clock, path=f"{path}.projects[{i}]")
        for i, project in enumerate(org.projects)
    ]
    users = [
        await _user(uow, organization, user, projects[0][0] if projects else None, clock, path=f"{path}.users[{i}]")
        for i, user in enumerate(org.users)
    ]
    return organization, users, projects


async def _project(
    uow: UnitOfWork, organization: Organization, seed: SeedProject, clock: Clock, *, path: str
) -> tuple[Project, list[str]]:
    now = clock.now()
    token = seed.api_token or new_token(PROJECT_API_KEY_PREFIX)
    if await uow.projects.get_by_api_token(token) is not None:
        raise InvalidInputError("This project API key is already used by another project.", attr=f"{path}.api_token")
    project = await uow.projects.create(
        organization_id=organization.id,
        name=validate_name(seed.name, attr=f"{path}.name"),
        api_token=token,
        timezone=_at(f"{path}.timezone", validate_timezone, seed.timezone),
        created_at=now,
    )
    secrets = list(seed.secret_api_keys) or [new_token(PROJECT_SECRET_KEY_PREFIX)]
    for index, secret in enumerate(secrets):
        if await uow.projects.get_by_secret_key(hash_secret(secret)) is not None:
            raise InvalidInputError("This secret key is already in use.", attr=f"{path}.secret_api_keys[{index}]")
        await uow.projects.add_secret_key(
            ProjectSecretKey(
                id=str(uuid.uuid4()),
                project_id=project.id,
                label=f"seed key {index + 1}",
                secure_value=hash_secret(secret),
                mask_value=mask_secret(secret),
                created_at=now,
            )
        )
    return project, secrets


async def _user(
    uow: UnitOfWork, organization: Organization, seed: SeedUser, first: Project | None, clock: Clock, *, path: str
) -> SeededUser:
    now = clock.now()
    email = _at(f"{path}.email", validate_email, seed.email)
    user = await uow.users.get_by_email(email)
    if user is None:
        user = await uow.users.create(
            uuid=str(uuid.uuid4()),
            email=email,
            first_name=seed.first_name,
            distinct_id=str(uuid.uuid4()),
            created_at=now,
        )
    await uow.organizations.set_membership(
        Membership(organization_id=organization.id, user_id=user.id, level=_LEVELS[seed.level], joined_at=now)
    )
    if user.current_project_id is None and first is not None:
        await uow.users.set_current_project(user.id, first.id)
    keys = []
    for index, key in enumerate(seed.personal_api_keys):
        key_path = f"{path}.personal_api_keys[{index}]"
        if await uow.keys.get_by_secure_value(hash_secret(key.value)) is not None:
            raise InvalidInputError("This personal API key is already in use.", attr=f"{key_path}.value")
        await uow.keys.add(
            PersonalApiKey(
                id=str(uuid.uuid4()),
                user_id=user.id,
                label=key.label,
                secure_value=hash_secret(key.value),
                mask_value=mask_secret(key.value),
                scopes=_at(f"{key_path}.scopes", validate_scopes, key.scopes),
                created_at=now,
            )
        )
        keys.append(key.value)
    return SeededUser(id=user.id, email=email, personal_api_keys=keys)


def _at(path: str, check: Callable[[Any], T], value: Any) -> T:  # noqa: ANN401 - what the check takes
    """``check(value)``, its error re-attributed to the seed path of the value."""
    try:
        return check(value)
    except InvalidInputError as exc:
        raise InvalidInputError(exc.detail, code=exc.code, attr=path) from None
