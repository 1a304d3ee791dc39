"""Tenant writes log activity entries in their own transaction: a refused write leaves neither change nor entry."""

from __future__ import annotations

import pytest

from flagcore.app.identity.authorize import OrganizationAccess
from flagcore.app.identity.bootstrap import Bootstrap, BootstrapCommand
from flagcore.app.tenants.members import AddMember, AddMemberCommand, ChangeMemberLevel
from flagcore.app.tenants.organizations import UpdateOrganization
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import MembershipLevel
from tests.memory_stack import MemoryStack


async def _owner_access(stack: MemoryStack) -> OrganizationAccess:
    result = await Bootstrap(stack.uow, stack.clock).execute(BootstrapCommand(organization_name="Acme"))
    stores = stack.stores
    user = await stores.users.get(result.user_id or 0)
    organization = await stores.organizations.get(result.organization_id)
    assert user is not None
    assert organization is not None
    membership = await stores.organizations.get_membership(organization.id, user.id)
    assert membership is not None
    key = (await stores.keys.list_for_user(user.id))[0]
    return OrganizationAccess(user=user, key=key, organization=organization, membership=membership)


async def test_rename_and_member_changes_are_logged() -> None:
    stack = MemoryStack()
    access = await _owner_access(stack)
    await UpdateOrganization(stack.uow, stack.clock).execute(access, "Acme Corp")
    member = await AddMember(stack.uow, stack.clock).execute(access, AddMemberCommand(email="bo@acme.test"))
    await ChangeMemberLevel(stack.uow, stack.clock).execute(access, member.user.uuid, MembershipLevel.ADMIN)
    entries = stack.stores.activity._entries
    assert [(e.scope, e.activity) for e in entries] == [
        ("Organization", "updated"),
        ("OrganizationMembership", "created"),
        ("OrganizationMembership", "updated"),
    ]
    rename = entries[0].detail.changes[0]
    assert (rename.field, rename.before, rename.after) == ("name", "Acme", "Acme Corp")
    level = entries[2].detail.changes[0]
    assert (level.field, level.before, level.after) == ("level", 1, 8)
    assert {e.user_id for e in entries} == {access.user.id}
    assert {e.organization_id for e in entries} == {access.organization.id}


async def test_a_refused_member_add_leaves_no_user_and_no_entry() -> None:
    stack = MemoryStack()
    access = await _owner_access(stack)
    with pytest.raises(InvalidInputError):
        await AddMember(stack.uow, stack.clock).execute(access, AddMemberCommand(email=access.user.email))
    assert stack.stores.activity._entries == []


async def test_bootstrap_levels_owner_when_it_creates_the_organization_member_otherwise() -> None:
    stack = MemoryStack()
    bootstrap = Bootstrap(stack.uow, stack.clock)
    first = await bootstrap.execute(
        BootstrapCommand(organization_name="Acme", project_name="Web", admin_email="a@x.io")
    )
    again = await bootstrap.execute(
        BootstrapCommand(organization_name="Acme", project_name="Web", admin_email="a@x.io")
    )
    joiner = await bootstrap.execute(
        BootstrapCommand(organization_name="Acme", project_name="Web", admin_email="b@x.io")
    )
    other_project = await bootstrap.execute(
        BootstrapCommand(organization_name="Acme", project_name="App", admin_email="a@x.io")
    )
    assert first.project_secret_api_key is not None
    assert (again.organization_id, again.project_id, again.project_secret_api_key) == (
        first.organization_id,
        first.project_id,
        None,
    )
    assert again.personal_api_key != first.personal_api_key
    assert joiner.project_id == first.project_id
    assert other_project.project_id != first.project_id
    orgs = stack.stores.organizations
    assert (await orgs.get_membership(first.organization_id, first.user_id or 0)).level is MembershipLevel.OWNER  # type: ignore[union-attr]
    assert (await orgs.get_membership(first.organization_id, joiner.user_id or 0)).level is MembershipLevel.MEMBER  # type: ignore[union-attr]
    with pytest.raises(InvalidInputError):
        await bootstrap.execute(BootstrapCommand(organization_name=" ", admin_email="a@x.io"))
