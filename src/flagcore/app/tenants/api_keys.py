"""Use cases: the caller's personal API keys (``phx_``): minted (shown once, stored hashed), listed, deleted.

A key never mints a key that reaches further than itself: every scope it grants must be one the calling key holds,
and a key limited to some projects or organizations only mints keys limited within them. Otherwise a leaked
read-only key scoped to one project would buy its holder an unrestricted one.
"""

from __future__ import annotations

import uuid
from typing import Final

import msgspec

from flagcore.app.identity.authorize import UserAccess
from flagcore.app.identity.tokens import new_token
from flagcore.domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from flagcore.domain.identity import (
    PERSONAL_API_KEY_PREFIX,
    PersonalApiKey,
    Project,
    has_scope,
    hash_secret,
    mask_secret,
    validate_scopes,
)
from flagcore.domain.identity.naming import MAX_LABEL_LENGTH, validate_name
from flagcore.domain.identity.tenancy import key_sees_project
from flagcore.ports.clock import Clock
from flagcore.ports.identity import ApiKeyRepo
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

#: PostHog's cap per user.
MAX_PERSONAL_KEYS: Final = 10


class NewPersonalKey(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    scopes: tuple[str, ...]
    scoped_teams: tuple[int, ...] = ()
    scoped_organizations: tuple[str, ...] = ()


class MintedPersonalKey(msgspec.Struct, frozen=True, kw_only=True):
    key: PersonalApiKey
    #: The key itself: returned by the request that mints it, and never again.
    value: str


class PersonalKeyNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


class KeyEscalationError(ForbiddenError):
    pass


class ListPersonalKeys:
    def __init__(self, keys: ApiKeyRepo) -> None:
        self._keys = keys

    async def execute(self, access: UserAccess) -> list[PersonalApiKey]:
        """The caller's keys, oldest first (their masks, never their values)."""
        return await self._keys.list_for_user(access.user.id)


class GetPersonalKey:
    def __init__(self, keys: ApiKeyRepo) -> None:
        self._keys = keys

    async def execute(self, access: UserAccess, key_id: str) -> PersonalApiKey:
        """One of the caller's keys.

        Raises:
            PersonalKeyNotFoundError: the caller has no key with this id (404, whoever else has one).
        """
        for key in await self._keys.list_for_user(access.user.id):
            if key.id == key_id:
                return key
        raise PersonalKeyNotFoundError


class CreatePersonalKey:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: UserAccess, new: NewPersonalKey) -> MintedPersonalKey:
        """Mint a key for the caller.

        Raises:
            InvalidInputError: a bad label or scope, a project or organization the caller is not a member of, or the
                caller already has ``MAX_PERSONAL_KEYS`` keys (400).
            KeyEscalationError: the new key would reach further than the calling key (403).
        """
        label = validate_name(new.label, attr="label", max_length=MAX_LABEL_LENGTH)
        scopes = validate_scopes(new.scopes)
        _check_scopes_within(access.key, scopes)
        value = new_token(PERSONAL_API_KEY_PREFIX)
        key = PersonalApiKey(
            id=str(uuid.uuid4()),
            user_id=access.user.id,
            label=label,
            secure_value=hash_secret(value),
            mask_value=mask_secret(value),
            scopes=scopes,
            created_at=self._clock.now(),
            scoped_teams=tuple(dict.fromkeys(new.scoped_teams)),
            scoped_organizations=tuple(dict.fromkeys(new.scoped_organizations)),
        )
        async with self._transactions.begin() as uow:
            if len(await uow.keys.list_for_user(access.user.id)) >= MAX_PERSONAL_KEYS:
                raise InvalidInputError(
                    f"You can only have {MAX_PERSONAL_KEYS} personal API keys. "
                    "Remove an existing key before creating a new one."
                )
            await _check_tenants(uow, access, key)
            await uow.keys.add(key)
            await uow.commit()
        return MintedPersonalKey(key=key, value=value)


class DeletePersonalKey:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, access: UserAccess, key_id: str) -> None:
        """Delete one of the caller's keys (the calling key too); it stops authenticating at once.

        Raises:
            PersonalKeyNotFoundError: the caller has no key with this id (404).
        """
        async with self._transactions.begin() as uow:
            if not await uow.keys.remove(access.user.id, key_id):
                raise PersonalKeyNotFoundError
            await uow.commit()


def _check_scopes_within(caller: PersonalApiKey, scopes: tuple[str, ...]) -> None:
    for scope in scopes:
        granted = has_scope(caller.scopes, "*") if scope == "*" else has_scope(caller.scopes, scope)
        if not granted:
            raise KeyEscalationError(f"The API key used for this request cannot grant the scope '{scope}'.")


async def _check_tenants(uow: UnitOfWork, access: UserAccess, key: PersonalApiKey) -> None:
    projects: list[Project] = []
    for project_id in key.scoped_teams:
        project = await uow.projects.get(project_id)
        member = project is not None and await uow.organizations.get_membership(project.organization_id, key.user_id)
        if project is None or not member:
            raise InvalidInputError(
                "You must be a member of all teams that you are scoping the key to.", attr="scoped_teams"
            )
        projects.append(project)
    for organization_id in key.scoped_organizations:
        if await uow.organizations.get_membership(organization_id, key.user_id) is None:
            raise InvalidInputError(
                "You must be a member of all organizations that you are scoping the key to.",
                attr="scoped_organizations",
            )
    caller = access.key
    if not caller.tenant_scoped:
        return
    reaches_further = (
        not key.tenant_scoped
        or any(not key_sees_project(caller, p) for p in projects)
        or any(bool(caller.scoped_teams) or o not in caller.scoped_organizations for o in key.scoped_organizations)
    )
    if reaches_further:
        raise KeyEscalationError(
            "The API key used for this request is limited to some projects or organizations: "
            "the new key must be limited within them."
        )
