"""ORM rows of the SQL adapters. They are storage shapes only: the adapters map them to domain structs explicitly.

One schema serves SQLite and PostgreSQL (JSON becomes JSONB on PostgreSQL). Timestamps are stored in UTC and come
back timezone-aware on both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base, JsonType
from flagcore.domain.flags.values import BucketingIdentifier, EvaluationRuntime

# ``Base`` and the shared column types live in ``orm_base``, so the ``orm_*`` modules build on it without importing
# this module; importing this module registers every table on ``Base.metadata``.

#: The partial unique index that makes keys unique among a project's non-deleted flags.
LIVE_FLAG_KEY_INDEX: Final = "uq_feature_flags_project_id_key_live"


class OrganizationRow(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    api_token: Mapped[str] = mapped_column(sa.String(255), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())


class ProjectSecretKeyRow(Base):
    __tablename__ = "project_secret_keys"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(255))
    secure_value: Mapped[str] = mapped_column(sa.String(255), unique=True)
    mask_value: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    # Python's str.lower() of the email: uniqueness and lookups are case-insensitive on every backend alike.
    email_lower: Mapped[str] = mapped_column(sa.String(254), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(150))
    last_name: Mapped[str] = mapped_column(sa.String(150))
    distinct_id: Mapped[str] = mapped_column(sa.String(200))
    current_project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())


class MembershipRow(Base):
    __tablename__ = "memberships"

    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True, index=True)
    level: Mapped[int] = mapped_column(sa.Integer)
    joined_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())


class PersonalApiKeyRow(Base):
    __tablename__ = "personal_api_keys"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(255))
    secure_value: Mapped[str] = mapped_column(sa.String(255), unique=True)
    mask_value: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[list[str]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    # Null or empty: the key is not limited to some projects / organizations.
    scoped_teams: Mapped[list[int] | None] = mapped_column(JsonType)
    scoped_organizations: Mapped[list[str] | None] = mapped_column(JsonType)


class FlagRow(Base):
    __tablename__ = "feature_flags"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(400))
    name: Mapped[str] = mapped_column(sa.Text)
    # msgspec.to_builtins(Filters): UNSET fields are absent, explicit nulls stay null.
    filters: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # Derived from filters on every write so listings can filter on the flag type without parsing JSON in SQL.
    is_multivariate: Mapped[bool] = mapped_column(sa.Boolean)
    # Derived like is_multivariate (status.is_fully_rolled_out), for the ``active=STALE`` listing filter.
    is_rolled_out: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    active: Mapped[bool] = mapped_column(sa.Boolean)
    deleted: Mapped[bool] = mapped_column(sa.Boolean)
    version: Mapped[int] = mapped_column(sa.Integer)
    ensure_experience_continuity: Mapped[bool] = mapped_column(sa.Boolean)
    evaluation_runtime: Mapped[EvaluationRuntime] = mapped_column(sa.String(16))
    bucketing_identifier: Mapped[BucketingIdentifier] = mapped_column(sa.String(32))
    is_remote_configuration: Mapped[bool] = mapped_column(sa.Boolean)
    has_encrypted_payloads: Mapped[bool] = mapped_column(sa.Boolean)
    tags: Mapped[list[str]] = mapped_column(JsonType)
    evaluation_tags: Mapped[list[str]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    updated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    last_modified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.Index(
            LIVE_FLAG_KEY_INDEX,
            "project_id",
            "key",
            unique=True,
            sqlite_where=sa.text("NOT deleted"),
            postgresql_where=sa.text("NOT deleted"),
        ),
    )


class HashKeyOverrideRow(Base):
    """An experience-continuity hash key: written once per (project, distinct id, flag key), never updated."""

    __tablename__ = "hash_key_overrides"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), primary_key=True)
    # Text, not a bounded string: ids come from SDK requests and must never fail a write for their length.
    distinct_id: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    flag_key: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    hash_key: Mapped[str] = mapped_column(sa.Text)


class GroupTypeRow(Base):
    """A project's group type; both its name and its index (0-4) are unique in the project."""

    __tablename__ = "group_types"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), primary_key=True)
    group_type_index: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    group_type: Mapped[str] = mapped_column(sa.String(400))
    name_singular: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    name_plural: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())

    __table_args__ = (sa.UniqueConstraint("project_id", "group_type"),)


class ActivityRow(Base):
    """One activity log entry. ``seq`` orders entries written at the same instant (the later one first)."""

    __tablename__ = "activity_log"

    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    organization_id: Mapped[str] = mapped_column(sa.String(64))
    project_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    # No foreign keys: the log outlives what it describes (a deleted user's changes stay attributed by id).
    user_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    scope: Mapped[str] = mapped_column(sa.String(64))
    item_id: Mapped[str] = mapped_column(sa.String(64))
    activity: Mapped[str] = mapped_column(sa.String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())

    __table_args__ = (
        sa.Index("ix_activity_log_project_scope_item", "project_id", "scope", "item_id", "created_at"),
        sa.Index("ix_activity_log_organization_id", "organization_id", "created_at"),
    )


__all__ = (
    "LIVE_FLAG_KEY_INDEX",
    "ActivityRow",
    "Base",
    "FlagRow",
    "GroupTypeRow",
    "HashKeyOverrideRow",
    "MembershipRow",
    "OrganizationRow",
    "PersonalApiKeyRow",
    "ProjectRow",
    "ProjectSecretKeyRow",
    "UserRow",
)
from flagcore.adapters.sqlalchemy import orm_approvals as _orm_approvals  # noqa: E402, F401 - registers its tables
from flagcore.adapters.sqlalchemy import orm_persons as _orm_persons  # noqa: E402, F401 - registers its tables on Base
from flagcore.adapters.sqlalchemy import orm_quota  # noqa: E402, F401 - registers the quota tables on Base
from flagcore.adapters.sqlalchemy import orm_usage as _orm_usage  # noqa: E402, F401 - registers its table on Base
from flagcore.adapters.sqlalchemy.orm_openfeature import FlagDeclarationRow  # noqa: E402, F401 - registers the table
from flagcore.adapters.sqlalchemy.orm_scheduled_changes import ScheduledChangeRow  # noqa: E402, F401 - registers it
from flagcore.adapters.sqlalchemy.orm_sign_in import UiSessionRow  # noqa: E402, F401 - registers the sign-in tables
