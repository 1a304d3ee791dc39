"""The identity ports' tenant-management methods (rename, members, revocation, scoped keys), on every adapter."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Membership, MembershipLevel, Organization, PersonalApiKey, ProjectSecretKey
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo
from tests.contract.seed import ORG_ID, OTHER_USER_ID, USER_ID

T0 = datetime(2026, 2, 1, 8, 30, 0, 654321, tzinfo=UTC)
T1 = datetime(2026, 3, 1, tzinfo=UTC)
ORG = Organization(id="0195f0d4-2222-7000-8000-000000000001", name="Acme", created_at=T0)
OTHER = Organization(id="0195f0d4-2222-7000-8000-000000000002", name="Globex", created_at=T0)


async def test_update_renames_and_ignores_unknown(organization_repo: OrganizationRepo) -> None:
    await organization_repo.create(ORG)
    await organization_repo.update(msgspec.structs.replace(ORG, name="Acme Corp"))
    await organization_repo.update(msgspec.structs.replace(OTHER, name="ghost"))
    assert await organization_repo.get(ORG.id) == msgspec.structs.replace(ORG, name="Acme Corp")
    assert await organization_repo.get(OTHER.id) is None


async def test_members_listed_by_user_and_removed(organization_repo: OrganizationRepo) -> None:
    for org in (ORG, OTHER):
        await organization_repo.create(org)
    owner = Membership(organization_id=ORG.id, user_id=OTHER_USER_ID, level=MembershipLevel.OWNER, joined_at=T0)
    member = Membership(organization_id=ORG.id, user_id=USER_ID, level=MembershipLevel.MEMBER, joined_at=T1)
    elsewhere = Membership(organization_id=OTHER.id, user_id=USER_ID, level=MembershipLevel.ADMIN, joined_at=T1)
    for membership in (owner, member, elsewhere):
        await organization_repo.set_membership(membership)
    assert await organization_repo.list_members(ORG.id) == [member, owner]
    assert await organization_repo.list_memberships_of_user(USER_ID) == sorted(
        [member, elsewhere], key=lambda m: m.organization_id
    )
    assert await organization_repo.remove_membership(ORG.id, USER_ID) is True
    assert await organization_repo.remove_membership(ORG.id, USER_ID) is False
    assert await organization_repo.list_members(ORG.id) == [owner]
    assert await organization_repo.get_membership(OTHER.id, USER_ID) == elsewhere


async def test_level_change_keeps_joined_at(organization_repo: OrganizationRepo) -> None:
    await organization_repo.create(ORG)
    joined = Membership(organization_id=ORG.id, user_id=USER_ID, level=MembershipLevel.MEMBER, joined_at=T0)
    await organization_repo.set_membership(joined)
    await organization_repo.set_membership(
        Membership(organization_id=ORG.id, user_id=USER_ID, level=MembershipLevel.ADMIN, joined_at=T1)
    )
    assert await organization_repo.get_membership(ORG.id, USER_ID) == msgspec.structs.replace(
        joined, level=MembershipLevel.ADMIN
    )


async def test_project_update_and_token_collision(project_repo: ProjectRepo) -> None:
    web = await project_repo.create(
        organization_id=ORG_ID, name="Web", api_token="phc_a", timezone="UTC", created_at=T0
    )
    app = await project_repo.create(
        organization_id=ORG_ID, name="App", api_token="phc_b", timezone="UTC", created_at=T0
    )
    renamed = msgspec.structs.replace(web, name="Website", timezone="Europe/Paris", api_token="phc_new")
    await project_repo.update(renamed)
    assert await project_repo.get(web.id) == renamed
    assert await project_repo.get_by_api_token("phc_a") is None
    assert await project_repo.get_by_api_token("phc_new") == renamed
    with pytest.raises(InvalidInputError) as caught:
        await project_repo.update(msgspec.structs.replace(app, api_token="phc_new"))
    assert caught.value.attr == "api_token"
    assert await project_repo.get(app.id) == app


async def test_secret_keys_listed_and_revoked_per_project(project_repo: ProjectRepo) -> None:
    web = await project_repo.create(
        organization_id=ORG_ID, name="Web", api_token="phc_a", timezone="UTC", created_at=T0
    )
    app = await project_repo.create(
        organization_id=ORG_ID, name="App", api_token="phc_b", timezone="UTC", created_at=T0
    )
    first = ProjectSecretKey(id="s1", project_id=web.id, label="a", secure_value="h1", mask_value="m", created_at=T0)
    second = ProjectSecretKey(id="s2", project_id=web.id, label="b", secure_value="h2", mask_value="m", created_at=T1)
    theirs = ProjectSecretKey(id="s3", project_id=app.id, label="c", secure_value="h3", mask_value="m", created_at=T0)
    for key in (second, first, theirs):
        await project_repo.add_secret_key(key)
    assert await project_repo.list_secret_keys(web.id) == [first, second]
    assert await project_repo.remove_secret_key(web.id, "s3") is False  # another project's key
    assert await project_repo.remove_secret_key(web.id, "s1") is True
    assert await project_repo.get_by_secret_key("h1") is None
    assert await project_repo.get_by_secret_key("h3") == app
    assert await project_repo.list_secret_keys(web.id) == [second]


async def test_user_found_by_uuid(user_repo: UserRepo) -> None:
    ada = await user_repo.create(uuid="u-ada", email="ada@x.test", first_name="Ada", distinct_id="d", created_at=T0)
    assert await user_repo.get_by_uuid("u-ada") == ada
    assert await user_repo.get_by_uuid("u-nobody") is None
    assert await user_repo.get_by_uuid("u-\x00") is None


async def test_scoped_key_round_trips_and_is_removed_only_by_its_owner(api_key_repo: ApiKeyRepo) -> None:
    key = PersonalApiKey(
        id="k1",
        user_id=USER_ID,
        label="ci",
        secure_value="sha256$k1",
        mask_value="phx_...k1",
        scopes=("feature_flag:read",),
        created_at=T0,
        scoped_teams=(3, 1),
        scoped_organizations=(ORG_ID,),
    )
    await api_key_repo.add(key)
    assert await api_key_repo.get_by_secure_value("sha256$k1") == key
    assert await api_key_repo.remove(OTHER_USER_ID, "k1") is False
    assert await api_key_repo.get_by_secure_value("sha256$k1") == key
    assert await api_key_repo.remove(USER_ID, "k1") is True
    assert await api_key_repo.get_by_secure_value("sha256$k1") is None
    assert await api_key_repo.list_for_user(USER_ID) == []
