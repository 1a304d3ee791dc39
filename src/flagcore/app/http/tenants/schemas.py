"""Wire schemas of the tenant API (PostHog's shapes, the fields flagcore has)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from flagcore.app.http.management.schemas import UserBasic
from flagcore.app.tenants.api_keys import MintedPersonalKey
from flagcore.app.tenants.me import CurrentUser, OrganizationMembershipView
from flagcore.app.tenants.members import Member
from flagcore.app.tenants.organizations import OrganizationDetails
from flagcore.app.tenants.secret_keys import MintedSecretKey
from flagcore.domain.identity import PersonalApiKey, Project, ProjectSecretKey


class ProjectOut(msgspec.Struct, frozen=True, kw_only=True):
    """A project (PostHog "team"). ``api_token`` is the public ``phc_`` key SDKs send to ``/flags``."""

    id: int
    project_id: int
    organization: str
    name: str
    api_token: str
    timezone: str
    created_at: datetime

    @classmethod
    def of(cls, project: Project) -> ProjectOut:
        return cls(
            id=project.id,
            project_id=project.id,
            organization=project.organization_id,
            name=project.name,
            api_token=project.api_token,
            timezone=project.timezone,
            created_at=project.created_at,
        )


class ProjectList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None = None
    previous: str | None = None
    results: list[ProjectOut]


class OrganizationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    created_at: datetime
    membership_level: int
    member_count: int
    teams: list[ProjectOut]
    projects: list[ProjectOut]

    @classmethod
    def of(cls, details: OrganizationDetails) -> OrganizationOut:
        projects = [ProjectOut.of(p) for p in details.projects]
        return cls(
            id=details.organization.id,
            name=details.organization.name,
            created_at=details.organization.created_at,
            membership_level=int(details.level),
            member_count=details.member_count,
            teams=projects,
            projects=projects,
        )


class OrganizationList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None = None
    previous: str | None = None
    results: list[OrganizationOut]


class OrganizationBasic(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    membership_level: int

    @classmethod
    def of(cls, view: OrganizationMembershipView) -> OrganizationBasic:
        return cls(id=view.organization.id, name=view.organization.name, membership_level=int(view.level))


class OrganizationIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str


class OrganizationPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str | None = None


class ProjectIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    timezone: str = "UTC"


class ProjectPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str | None = None
    timezone: str | None = None


class MemberOut(msgspec.Struct, frozen=True, kw_only=True):
    user: UserBasic
    level: int
    joined_at: datetime | None

    @classmethod
    def of(cls, member: Member) -> MemberOut:
        return cls(
            user=UserBasic.of(member.user), level=int(member.membership.level), joined_at=member.membership.joined_at
        )


class MemberList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None = None
    previous: str | None = None
    results: list[MemberOut]


class MemberIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Add a member by email; the user is created when flagcore does not know them yet."""

    email: str
    level: int = 1
    first_name: str = ""
    #: The member's first admin UI password (refused for a user who already has one).
    password: str | None = None


class MemberPatch(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    level: int


class PersonalKeyOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    label: str
    #: The key itself: only in the response that creates it, null afterwards.
    value: str | None
    mask_value: str
    created_at: datetime
    last_used_at: datetime | None
    user_id: int
    scopes: list[str]
    scoped_teams: list[int]
    scoped_organizations: list[str]

    @classmethod
    def of(cls, key: PersonalApiKey, value: str | None = None) -> PersonalKeyOut:
        return cls(
            id=key.id,
            label=key.label,
            value=value,
            mask_value=key.mask_value,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            user_id=key.user_id,
            scopes=list(key.scopes),
            scoped_teams=list(key.scoped_teams),
            scoped_organizations=list(key.scoped_organizations),
        )

    @classmethod
    def minted(cls, minted: MintedPersonalKey) -> PersonalKeyOut:
        return cls.of(minted.key, minted.value)


class PersonalKeyIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    label: str
    scopes: list[str]
    scoped_teams: list[int] | None = None
    scoped_organizations: list[str] | None = None


class SecretKeyOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    label: str
    #: The key itself: only in the response that creates it, null afterwards.
    value: str | None
    mask_value: str
    created_at: datetime

    @classmethod
    def of(cls, key: ProjectSecretKey, value: str | None = None) -> SecretKeyOut:
        return cls(id=key.id, label=key.label, value=value, mask_value=key.mask_value, created_at=key.created_at)

    @classmethod
    def minted(cls, minted: MintedSecretKey) -> SecretKeyOut:
        return cls.of(minted.key, minted.value)


class SecretKeyIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    label: str


class MeOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    uuid: str
    distinct_id: str
    email: str
    first_name: str
    last_name: str
    organization: OrganizationBasic | None
    team: ProjectOut | None
    organizations: list[OrganizationBasic]

    @classmethod
    def of(cls, me: CurrentUser) -> MeOut:
        return cls(
            id=me.user.id,
            uuid=me.user.uuid,
            distinct_id=me.user.distinct_id,
            email=me.user.email,
            first_name=me.user.first_name,
            last_name=me.user.last_name,
            organization=OrganizationBasic.of(me.organization) if me.organization is not None else None,
            team=ProjectOut.of(me.project) if me.project is not None else None,
            organizations=[OrganizationBasic.of(o) for o in me.organizations],
        )
