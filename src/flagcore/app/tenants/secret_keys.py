"""Use cases: a project's secret keys (``phs_``), minted (shown once, stored hashed), listed and revoked."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final

import msgspec

from flagcore.app.identity.authorize import Access
from flagcore.app.identity.tokens import new_token
from flagcore.app.tenants.activity import record
from flagcore.domain.activity import Activity
from flagcore.domain.errors import InvalidInputError, NotFoundError
from flagcore.domain.identity import PROJECT_SECRET_KEY_PREFIX, ProjectSecretKey, hash_secret, mask_secret
from flagcore.domain.identity.members import require_admin
from flagcore.domain.identity.naming import MAX_LABEL_LENGTH, validate_name
from flagcore.ports.clock import Clock
from flagcore.ports.identity import ProjectCredentialCache, ProjectRepo
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

#: PostHog's cap per project.
MAX_SECRET_KEYS: Final = 50
SCOPE: Final = "ProjectSecretAPIKey"


class MintedSecretKey(msgspec.Struct, frozen=True, kw_only=True):
    key: ProjectSecretKey
    #: The key itself: returned by the request that mints it, and never again.
    value: str


class SecretKeyNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


class ListSecretKeys:
    def __init__(self, projects: ProjectRepo) -> None:
        self._projects = projects

    async def execute(self, access: Access) -> list[ProjectSecretKey]:
        """The project's keys (their masks, never their values); admins and owners only."""
        require_admin(access.membership, "manage this project's secret keys")
        return await self._projects.list_secret_keys(access.project.id)


class CreateSecretKey:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: Access, label: str) -> MintedSecretKey:
        """A new secret key for the project (admins and owners).

        Raises:
            MemberEditForbiddenError: the caller is a plain member (403).
            InvalidInputError: a blank or too long label, or the project already has ``MAX_SECRET_KEYS`` (400).
        """
        require_admin(access.membership, "manage this project's secret keys")
        label = validate_name(label, attr="label", max_length=MAX_LABEL_LENGTH)
        value = new_token(PROJECT_SECRET_KEY_PREFIX)
        now = self._clock.now()
        key = ProjectSecretKey(
            id=str(uuid.uuid4()),
            project_id=access.project.id,
            label=label,
            secure_value=hash_secret(value),
            mask_value=mask_secret(value),
            created_at=now,
        )
        async with self._transactions.begin() as uow:
            await uow.lock_project(access.project.id)  # the cap is checked against the keys this write commits into
            if len(await uow.projects.list_secret_keys(access.project.id)) >= MAX_SECRET_KEYS:
                raise InvalidInputError(
                    f"You can only have {MAX_SECRET_KEYS} project secret API keys. "
                    "Remove an existing key before creating a new one."
                )
            await uow.projects.add_secret_key(key)
            await _log(uow, access, key, "created", now)
            await uow.commit()
        return MintedSecretKey(key=key, value=value)


class RevokeSecretKey:
    def __init__(self, transactions: UnitOfWorkFactory, credentials: ProjectCredentialCache, clock: Clock) -> None:
        self._transactions = transactions
        self._credentials = credentials
        self._clock = clock

    async def execute(self, access: Access, key_id: str) -> None:
        """Delete the key; it stops authenticating at once on this instance (the credential cache forgets it).

        Raises:
            MemberEditForbiddenError: the caller is a plain member (403).
            SecretKeyNotFoundError: the project has no such key (404).
        """
        require_admin(access.membership, "manage this project's secret keys")
        async with self._transactions.begin() as uow:
            await uow.lock_project(access.project.id)
            keys = {k.id: k for k in await uow.projects.list_secret_keys(access.project.id)}
            key = keys.get(key_id)
            if key is None or not await uow.projects.remove_secret_key(access.project.id, key_id):
                raise SecretKeyNotFoundError
            await _log(uow, access, key, "deleted", self._clock.now())
            project_id = access.project.id

            async def forget() -> None:
                self._credentials.forget_project(project_id)

            uow.after_commit(forget)
            await uow.commit()


async def _log(uow: UnitOfWork, access: Access, key: ProjectSecretKey, activity: Activity, now: datetime) -> None:
    await record(
        uow,
        scope=SCOPE,
        activity=activity,
        organization_id=access.project.organization_id,
        project_id=access.project.id,
        user_id=access.user.id,
        item_id=key.id,
        name=key.label,
        now=now,
    )
