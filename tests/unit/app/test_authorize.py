"""``Authenticate`` and ``Authorize`` wired by hand: principals, project / organization / user targets, ``@current``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flagcore.adapters.memory import FixedClock
from flagcore.app.identity.authenticate import Authenticate
from flagcore.app.identity.authorize import Authorize, OrganizationNotFoundError, ProjectRef
from flagcore.domain.identity import (
    CURRENT,
    InvalidCredentialsError,
    Membership,
    MembershipLevel,
    MissingScopeError,
    NotAuthenticatedError,
    Organization,
    PersonalApiKey,
    Principal,
    ProjectNotFoundError,
    ProjectSecretKey,
    SecretKeyNotAllowedError,
    hash_secret,
)
from tests.memory_stack import memory_stores

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class World:
    async def setup(self) -> World:
        self.stores = stores = memory_stores()
        for org_id in ("org-a", "org-b"):
            await stores.organizations.create(Organization(id=org_id, name=org_id, created_at=NOW))
        self.project = await stores.projects.create(
            organization_id="org-a", name="a", api_token="phc_a", timezone="UTC", created_at=NOW
        )
        self.foreign = await stores.projects.create(
            organization_id="org-b", name="b", api_token="phc_b", timezone="UTC", created_at=NOW
        )
        user = await stores.users.create(uuid="u", email="a@x.test", first_name="A", distinct_id="d", created_at=NOW)
        await stores.users.set_current_project(user.id, self.project.id)
        await stores.organizations.set_membership(
            Membership(organization_id="org-a", user_id=user.id, level=MembershipLevel.MEMBER)
        )
        for value, scopes in (("phx_all", ("*",)), ("phx_read", ("feature_flag:read",))):
            await stores.keys.add(
                PersonalApiKey(
                    id=value,
                    user_id=user.id,
                    label=value,
                    secure_value=hash_secret(value),
                    mask_value="x",
                    scopes=scopes,
                    created_at=NOW,
                )
            )
        await stores.projects.add_secret_key(
            ProjectSecretKey(
                id="s",
                project_id=self.project.id,
                label="s",
                secure_value=hash_secret("phs_a"),
                mask_value="x",
                created_at=NOW,
            )
        )
        self.authenticate = Authenticate(stores.users, stores.projects, stores.keys, FixedClock(NOW))
        self.authorize = Authorize(stores.projects, stores.organizations)
        return self

    async def principal(self, key: str) -> Principal:
        return await self.authenticate.execute(f"Bearer {key}")


@pytest.fixture
async def world() -> World:
    return await World().setup()


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (None, NotAuthenticatedError),
        ("Basic abc", NotAuthenticatedError),
        ("Bearer phx_nope", InvalidCredentialsError),
        ("Bearer phs_nope", InvalidCredentialsError),
    ],
)
async def test_bad_credentials_are_401s(world: World, header: str | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        await world.authenticate.execute(header)


async def test_current_resolves_to_the_users_current_project_in_one_place(world: World) -> None:
    principal = await world.principal("phx_all")
    access = await world.authorize.personal(principal, ProjectRef(path=CURRENT), scope="feature_flag:write")
    assert access.project == world.project
    by_id = await world.authorize.personal(principal, ProjectRef(path=str(world.project.id)), scope="feature_flag:read")
    assert by_id.project == world.project


async def test_project_errors_in_order_of_precedence(world: World) -> None:
    principal = await world.principal("phx_read")
    for path in ("999", str(world.foreign.id)):  # absent and another organization's look the same
        with pytest.raises(ProjectNotFoundError):
            await world.authorize.personal(principal, ProjectRef(path=path), scope="feature_flag:read")
    with pytest.raises(MissingScopeError):
        await world.authorize.personal(principal, ProjectRef(path=CURRENT), scope="feature_flag:write")
    with pytest.raises(InvalidCredentialsError):
        await world.authorize.project(principal, ProjectRef(token="phc_unknown"), scope="feature_flag:read")


async def test_a_token_names_the_project(world: World) -> None:
    principal = await world.principal("phx_read")
    grant = await world.authorize.project(principal, ProjectRef(token="phc_a"), scope="feature_flag:read")
    assert grant.project == world.project
    with pytest.raises(ProjectNotFoundError):
        await world.authorize.project(principal, ProjectRef(token="phc_b"), scope="feature_flag:read")


async def test_a_secret_key_reads_its_own_project_only_and_only_where_allowed(world: World) -> None:
    principal = await world.principal("phs_a")
    assert principal.secret_key_project == world.project
    grant = await world.authorize.project(principal, ProjectRef(), scope="feature_flag:read", secret_key=True)
    assert grant.project == world.project
    with pytest.raises(ProjectNotFoundError):
        await world.authorize.project(principal, ProjectRef(token="phc_b"), scope="feature_flag:read", secret_key=True)
    with pytest.raises(SecretKeyNotAllowedError):
        await world.authorize.personal(principal, ProjectRef(), scope="feature_flag:read")
    with pytest.raises(SecretKeyNotAllowedError):
        await world.authorize.organization(principal, CURRENT, scope="organization:read")


async def test_organization_targets(world: World) -> None:
    principal = await world.principal("phx_all")
    access = await world.authorize.organization(principal, "org-a", scope="organization:read")
    assert access.organization.id == "org-a"
    assert access.membership.level is MembershipLevel.MEMBER
    current = await world.authorize.organization(principal, CURRENT, scope="organization:read")
    assert current.organization.id == "org-a"
    for ref in ("org-b", "no-such-org"):  # not a member and absent look the same: nothing is disclosed
        with pytest.raises(OrganizationNotFoundError):
            await world.authorize.organization(principal, ref, scope="organization:read")
    reader = await world.principal("phx_read")
    with pytest.raises(MissingScopeError):
        await world.authorize.organization(reader, "org-a", scope="organization:read")


async def test_user_targets(world: World) -> None:
    principal = await world.principal("phx_read")
    assert (await world.authorize.user(principal, scope=None)).user.email == "a@x.test"
    with pytest.raises(MissingScopeError):
        await world.authorize.user(principal, scope="organization:write")
