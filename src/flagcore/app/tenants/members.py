"""Use cases: an organization's members, added, re-levelled and removed under PostHog's rules.

Every change takes the organization's write lock and re-reads the caller's own membership inside the transaction,
so two owners demoting each other at once cannot leave the organization without an owner.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from flagcore.app.identity.authorize import OrganizationAccess
from flagcore.app.tenants.activity import field_changes, record
from flagcore.domain.activity import Activity, FieldChange
from flagcore.domain.errors import InvalidInputError, NotFoundError
from flagcore.domain.identity import Membership, MembershipLevel, User
from flagcore.domain.identity.members import (
    MemberEditForbiddenError,
    check_can_add,
    check_can_change_level,
    check_can_remove,
)
from flagcore.domain.identity.naming import validate_email
from flagcore.ports.clock import Clock
from flagcore.ports.identity import OrganizationRepo, UserRepo
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

SCOPE = "OrganizationMembership"


class Member(msgspec.Struct, frozen=True, kw_only=True):
    user: User
    membership: Membership


class MemberNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


class AddMemberCommand(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    level: MembershipLevel = MembershipLevel.MEMBER
    first_name: str = ""


class ListMembers:
    def __init__(self, organizations: OrganizationRepo, users: UserRepo) -> None:
        self._organizations = organizations
        self._users = users

    async def execute(self, access: OrganizationAccess) -> list[Member]:
        """The organization's members with their users, by user id."""
        out = []
        for membership in await self._organizations.list_members(access.organization.id):
            user = await self._users.get(membership.user_id)
            if user is not None:
                out.append(Member(user=user, membership=membership))
        return out


class AddMember:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: OrganizationAccess, cmd: AddMemberCommand) -> Member:
        """Add the user with this email (created when unknown) to the organization at ``cmd.level``.

        Raises:
            MemberEditForbiddenError: the caller may not add members, or not at this level (403).
            InvalidInputError: a malformed email, or the user is a member already (400).
        """
        email = validate_email(cmd.email)
        now = self._clock.now()
        org_id = access.organization.id
        async with self._transactions.begin() as uow:
            actor = await _actor(uow, access)
            check_can_add(actor, cmd.level)
            user = await uow.users.get_by_email(email) or await uow.users.create(
                uuid=str(uuid.uuid4()),
                email=email,
                first_name=cmd.first_name,
                distinct_id=str(uuid.uuid4()),
                created_at=now,
            )
            if await uow.organizations.get_membership(org_id, user.id) is not None:
                raise InvalidInputError(
                    "This user is already a member of the organization.", code="unique", attr="email"
                )
            membership = Membership(organization_id=org_id, user_id=user.id, level=cmd.level, joined_at=now)
            await uow.organizations.set_membership(membership)
            if user.current_project_id is None:  # @current should name a project of the organization they joined
                projects = await uow.projects.list_for_organization(org_id)
                if projects:
                    await uow.users.set_current_project(user.id, projects[0].id)
                    user = msgspec.structs.replace(user, current_project_id=projects[0].id)
            await _log(uow, access, user, "created", now)
            await uow.commit()
        return Member(user=user, membership=membership)


class ChangeMemberLevel:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: OrganizationAccess, user_uuid: str, level: MembershipLevel) -> Member:
        """Set the member's level.

        Raises:
            MemberNotFoundError: no member with this user uuid (404).
            MemberEditForbiddenError: PostHog's rules refuse the change (403).
            LastOwnerError: the organization would lose its last owner (400).
        """
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            actor = await _actor(uow, access)
            user, target = await _target(uow, access, user_uuid)
            members = await uow.organizations.list_members(access.organization.id)
            check_can_change_level(actor, target, level, _owners(members))
            updated = msgspec.structs.replace(target, level=level)
            if updated != target:
                await uow.organizations.set_membership(updated)
                changes = field_changes(SCOPE, {"level": int(target.level)}, {"level": int(level)})
                await _log(uow, access, user, "updated", now, changes)
            await uow.commit()
        return Member(user=user, membership=updated)


class RemoveMember:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: OrganizationAccess, user_uuid: str) -> None:
        """Remove the member (or, for the caller's own uuid, leave).

        Raises:
            MemberNotFoundError: no member with this user uuid (404).
            MemberEditForbiddenError: PostHog's rules refuse the removal (403).
            LastOwnerError: the organization's last owner would go (400).
        """
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            actor = await _actor(uow, access)
            user, target = await _target(uow, access, user_uuid)
            check_can_remove(actor, target, _owners(await uow.organizations.list_members(access.organization.id)))
            await uow.organizations.remove_membership(access.organization.id, user.id)
            await _log(uow, access, user, "deleted", now)
            await uow.commit()


async def _actor(uow: UnitOfWork, access: OrganizationAccess) -> Membership:
    # Under the organization's lock, and as stored now: the level authorization saw may have changed since.
    await uow.lock_organization(access.organization.id)
    actor = await uow.organizations.get_membership(access.organization.id, access.user.id)
    if actor is None:
        raise MemberEditForbiddenError("You are no longer a member of this organization.")
    return actor


async def _target(uow: UnitOfWork, access: OrganizationAccess, user_uuid: str) -> tuple[User, Membership]:
    user = await uow.users.get_by_uuid(user_uuid)
    target = await uow.organizations.get_membership(access.organization.id, user.id) if user is not None else None
    if user is None or target is None:
        raise MemberNotFoundError
    return user, target


def _owners(members: list[Membership]) -> int:
    return sum(1 for m in members if m.level is MembershipLevel.OWNER)


async def _log(
    uow: UnitOfWork,
    access: OrganizationAccess,
    user: User,
    activity: Activity,
    now: datetime,
    changes: tuple[FieldChange, ...] = (),
) -> None:
    await record(
        uow,
        scope=SCOPE,
        activity=activity,
        organization_id=access.organization.id,
        project_id=None,
        user_id=access.user.id,
        item_id=user.uuid,
        name=user.email,
        now=now,
        changes=changes,
    )
