"""Who may do what: organizations, projects and their keys, users, memberships, personal API keys."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec


class MembershipLevel(enum.IntEnum):
    """PostHog's organization membership levels (numbers as PostHog stores them)."""

    MEMBER = 1
    ADMIN = 8
    OWNER = 15


class Organization(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    created_at: datetime


class Project(msgspec.Struct, frozen=True, kw_only=True):
    """A project (PostHog "team"): flags live here. ``api_token`` is the public ``phc_`` key, not a secret."""

    id: int
    organization_id: str
    name: str
    api_token: str
    timezone: str = "UTC"
    created_at: datetime


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    uuid: str
    email: str
    first_name: str = ""
    last_name: str = ""
    distinct_id: str
    current_project_id: int | None = None
    created_at: datetime


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    organization_id: str
    user_id: int
    level: MembershipLevel
    #: When the user joined (None for memberships stored before it was recorded).
    joined_at: datetime | None = None


class PersonalApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """A user's ``phx_`` key. Only its hash (``secure_value``) and a display mask are stored."""

    id: str
    user_id: int
    label: str
    secure_value: str
    mask_value: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None = None
    #: The projects the key may reach (empty: every project of the user's organizations).
    scoped_teams: tuple[int, ...] = ()
    #: The organizations the key may reach (empty: every organization the user belongs to).
    scoped_organizations: tuple[str, ...] = ()

    @property
    def tenant_scoped(self) -> bool:
        """Whether the key is limited to some projects or organizations."""
        return bool(self.scoped_teams or self.scoped_organizations)


class ProjectSecretKey(msgspec.Struct, frozen=True, kw_only=True):
    """A project's ``phs_`` key for server SDKs (local evaluation, remote config). Stored hashed."""

    id: str
    project_id: int
    label: str
    secure_value: str
    mask_value: str
    created_at: datetime
