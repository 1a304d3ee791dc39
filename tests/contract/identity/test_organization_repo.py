"""The ``OrganizationRepo`` contract, run against every adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Membership, MembershipLevel, Organization
from flagcore.ports.identity import OrganizationRepo
from tests.contract.seed import OTHER_USER_ID, USER_ID

T0 = datetime(2026, 2, 1, 8, 30, 0, 654321, tzinfo=UTC)


def _org(n: int, name: str = "Acme", created_at: datetime = T0) -> Organization:
    return Organization(id=f"0195f0d4-1111-7000-8000-00000000000{n}", name=name, created_at=created_at)


async def test_create_then_get(organization_repo: OrganizationRepo) -> None:
    org = _org(1)
    assert await organization_repo.create(org) == org
    stored = await organization_repo.get(org.id)
    assert stored == org
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_get_unknown_is_none(organization_repo: OrganizationRepo) -> None:
    await organization_repo.create(_org(1))
    assert await organization_repo.get(_org(2).id) is None


async def test_create_with_taken_id_raises(organization_repo: OrganizationRepo) -> None:
    await organization_repo.create(_org(1))
    with pytest.raises(InvalidInputError) as caught:
        await organization_repo.create(_org(1, name="Impostor"))
    assert caught.value.attr == "id"
    stored = await organization_repo.get(_org(1).id)
    assert stored is not None
    assert stored.name == "Acme"


async def test_get_by_name_returns_oldest_exact_match(organization_repo: OrganizationRepo) -> None:
    newer = _org(1, created_at=T0 + timedelta(seconds=1))
    older = _org(2, created_at=T0)
    await organization_repo.create(newer)
    await organization_repo.create(older)
    await organization_repo.create(_org(3, name="acme", created_at=T0 - timedelta(days=1)))
    assert await organization_repo.get_by_name("Acme") == older
    assert await organization_repo.get_by_name("Acm") is None


async def test_get_by_name_breaks_ties_by_id(organization_repo: OrganizationRepo) -> None:
    await organization_repo.create(_org(2))
    await organization_repo.create(_org(1))
    assert await organization_repo.get_by_name("Acme") == _org(1)


async def test_membership_is_added_and_read(organization_repo: OrganizationRepo) -> None:
    org = await organization_repo.create(_org(1))
    membership = Membership(organization_id=org.id, user_id=USER_ID, level=MembershipLevel.ADMIN)
    await organization_repo.set_membership(membership)
    stored = await organization_repo.get_membership(org.id, USER_ID)
    assert stored == membership
    assert isinstance(stored.level, MembershipLevel)


async def test_set_membership_changes_level_of_member(organization_repo: OrganizationRepo) -> None:
    org = await organization_repo.create(_org(1))
    await organization_repo.set_membership(
        Membership(organization_id=org.id, user_id=USER_ID, level=MembershipLevel.MEMBER)
    )
    await organization_repo.set_membership(
        Membership(organization_id=org.id, user_id=USER_ID, level=MembershipLevel.OWNER)
    )
    stored = await organization_repo.get_membership(org.id, USER_ID)
    assert stored is not None
    assert stored.level is MembershipLevel.OWNER


async def test_get_membership_of_non_member_is_none(organization_repo: OrganizationRepo) -> None:
    org = await organization_repo.create(_org(1))
    other = await organization_repo.create(_org(2))
    await organization_repo.set_membership(
        Membership(organization_id=org.id, user_id=USER_ID, level=MembershipLevel.MEMBER)
    )
    assert await organization_repo.get_membership(org.id, OTHER_USER_ID) is None
    assert await organization_repo.get_membership(other.id, USER_ID) is None
