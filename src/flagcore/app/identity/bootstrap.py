"""Use case: idempotent first-run set-up of an organization, a project and an admin user, with fresh credentials."""

from __future__ import annotations

import uuid

import msgspec

from flagcore.app.identity.tokens import new_token
from flagcore.domain.identity import (
    PERSONAL_API_KEY_PREFIX,
    PROJECT_API_KEY_PREFIX,
    PROJECT_SECRET_KEY_PREFIX,
    Membership,
    MembershipLevel,
    Organization,
    PersonalApiKey,
    Project,
    ProjectSecretKey,
    User,
    hash_secret,
    mask_secret,
)
from flagcore.domain.identity.naming import validate_email, validate_name
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

DEFAULT_PROJECT_NAME = "Default Project"


class BootstrapCommand(msgspec.Struct, frozen=True, kw_only=True):
    organization_name: str = "Default Organization"
    #: The project to find or create by name; None: the organization's first project, else "Default Project".
    project_name: str | None = None
    admin_email: str = "admin@flagcore.local"
    mint_personal_key: bool = True
    only_if_new: bool = False
    """Do nothing (and mint no key) when the organization already exists: ``make run`` on every start."""


class BootstrapResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What ``flagcore init --json`` prints. Secrets appear only here, once; they are stored hashed."""

    organization_id: str
    project_id: int
    project_api_key: str
    project_secret_api_key: str | None = None
    personal_api_key: str | None = None
    #: The user the personal key belongs to.
    user_id: int | None = None
    #: That user's email: what they sign in to the admin UI with.
    email: str | None = None
    #: Their UI password, when this run generated it (shown once; stored as an argon2 hash).
    password: str | None = None
    created: bool = False


class Bootstrap:
    """Create what is missing of the default organization, project and admin; mint a personal API key.

    All in one transaction: an installation is either fully set up or untouched.
    """

    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, cmd: BootstrapCommand) -> BootstrapResult:
        """Ensure the defaults exist; the project's secret key is returned only when the project is created now."""
        async with self._transactions.begin() as uow:
            result = await self._bootstrap(uow, cmd)
            await uow.commit()
        return result

    async def _bootstrap(self, uow: UnitOfWork, cmd: BootstrapCommand) -> BootstrapResult:
        organization_name = validate_name(cmd.organization_name, attr="organization")
        project_name = validate_name(cmd.project_name, attr="project") if cmd.project_name is not None else None
        email = validate_email(cmd.admin_email)
        organization = await uow.organizations.get_by_name(organization_name)
        created_organization = organization is None
        if organization is None:
            organization = await uow.organizations.create(
                Organization(id=str(uuid.uuid4()), name=organization_name, created_at=self._clock.now())
            )
        existing = await uow.projects.list_for_organization(organization.id)
        if project_name is not None:
            existing = [p for p in existing if p.name == project_name]
        if existing and cmd.only_if_new:
            return BootstrapResult(
                organization_id=organization.id, project_id=existing[0].id, project_api_key=existing[0].api_token
            )
        project, secret = (
            (existing[0], None)
            if existing
            else await self._create_project(uow, organization, project_name or DEFAULT_PROJECT_NAME)
        )
        user = await self._ensure_member(uow, email, organization, project, owner=created_organization)
        personal_key = await self._mint_personal_key(uow, user) if cmd.mint_personal_key else None
        return BootstrapResult(
            organization_id=organization.id,
            project_id=project.id,
            project_api_key=project.api_token,
            project_secret_api_key=secret,
            personal_api_key=personal_key,
            user_id=user.id,
            email=user.email,
            created=secret is not None,
        )

    async def _create_project(self, uow: UnitOfWork, organization: Organization, name: str) -> tuple[Project, str]:
        now = self._clock.now()
        project = await uow.projects.create(
            organization_id=organization.id,
            name=name,
            api_token=new_token(PROJECT_API_KEY_PREFIX),
            timezone="UTC",
            created_at=now,
        )
        secret = new_token(PROJECT_SECRET_KEY_PREFIX)
        await uow.projects.add_secret_key(
            ProjectSecretKey(
                id=str(uuid.uuid4()),
                project_id=project.id,
                label="Default secret key",
                secure_value=hash_secret(secret),
                mask_value=mask_secret(secret),
                created_at=now,
            )
        )
        return project, secret

    async def _ensure_member(
        self, uow: UnitOfWork, email: str, organization: Organization, project: Project, *, owner: bool
    ) -> User:
        """The user with this email (created if missing), a member of the organization.

        Owner when this run created the organization; otherwise a member, or their level as it already is.
        """
        user = await uow.users.get_by_email(email)
        if user is None:
            user = await uow.users.create(
                uuid=str(uuid.uuid4()),
                email=email,
                first_name="Admin",
                distinct_id=str(uuid.uuid4()),
                created_at=self._clock.now(),
            )
        if owner or await uow.organizations.get_membership(organization.id, user.id) is None:
            level = MembershipLevel.OWNER if owner else MembershipLevel.MEMBER
            await uow.organizations.set_membership(
                Membership(organization_id=organization.id, user_id=user.id, level=level, joined_at=self._clock.now())
            )
        if user.current_project_id is None:
            await uow.users.set_current_project(user.id, project.id)
        return user

    async def _mint_personal_key(self, uow: UnitOfWork, user: User) -> str:
        value = new_token(PERSONAL_API_KEY_PREFIX)
        now = self._clock.now()
        await uow.keys.add(
            PersonalApiKey(
                id=str(uuid.uuid4()),
                user_id=user.id,
                label=f"flagcore init {now:%Y-%m-%d %H:%M:%S}",
                secure_value=hash_secret(value),
                mask_value=mask_secret(value),
                scopes=("*",),
                created_at=now,
            )
        )
        return value


def credentials_text(result: BootstrapResult) -> str:
    """The credentials of a bootstrap as shown to the person who ran it (secrets appear only here, once)."""
    lines = [
        "flagcore is ready. Keep these credentials; secrets are shown only once.",
        f"  organization_id:         {result.organization_id}",
        f"  project_id:              {result.project_id}",
        f"  project_api_key:         {result.project_api_key}   (public: SDKs send it to /flags)",
    ]
    if result.project_secret_api_key:
        lines.append(f"  project_secret_api_key:  {result.project_secret_api_key}   (server SDK local evaluation)")
    lines.append(f"  personal_api_key:        {result.personal_api_key}   (management API: Authorization: Bearer)")
    if result.email:
        lines.append(f"  email:                   {result.email}   (admin UI sign-in: /ui/)")
    if result.password:
        lines.append(f"  password:                {result.password}")
    return "\n".join(lines)
