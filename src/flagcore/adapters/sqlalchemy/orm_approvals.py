"""ORM rows of approvals: policies, change requests and their votes (same ``Base`` as ``orm.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base, JsonType


class ApprovalPolicyRow(Base):
    """A policy. ``scope_project`` is the project id, or 0 for the whole organization.

    Unlike a nullable column, it lets one unique constraint cover organization-wide policies on SQLite and PostgreSQL.
    """

    __tablename__ = "approval_policies"
    __table_args__ = (sa.UniqueConstraint("organization_id", "scope_project", "action_key"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    scope_project: Mapped[int] = mapped_column(sa.Integer)
    action_key: Mapped[str] = mapped_column(sa.String(128))
    conditions: Mapped[Any] = mapped_column(JsonType)
    approver_config: Mapped[dict[str, Any]] = mapped_column(JsonType)
    allow_self_approve: Mapped[bool] = mapped_column(sa.Boolean)
    bypass_org_membership_levels: Mapped[list[int]] = mapped_column(JsonType)
    bypass_roles: Mapped[list[int]] = mapped_column(JsonType)
    expires_after_s: Mapped[int] = mapped_column(sa.BigInteger)
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    created_by_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC())


class ChangeRequestRow(Base):
    __tablename__ = "change_requests"
    __table_args__ = (
        sa.Index("ix_change_requests_project_created", "project_id", "created_at"),
        sa.Index("ix_change_requests_state_expires", "state", "expires_at"),
        sa.Index("ix_change_requests_resource", "project_id", "action_key", "resource_id"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.String(64))
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    action_key: Mapped[str] = mapped_column(sa.String(128))
    action_version: Mapped[int] = mapped_column(sa.Integer)
    resource_type: Mapped[str] = mapped_column(sa.String(64))
    resource_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    intent: Mapped[dict[str, Any]] = mapped_column(JsonType)
    intent_display: Mapped[dict[str, Any]] = mapped_column(JsonType)
    policy_snapshot: Mapped[dict[str, Any]] = mapped_column(JsonType)
    validation_status: Mapped[str] = mapped_column(sa.String(16))
    validation_errors: Mapped[Any] = mapped_column(JsonType, nullable=True)
    validated_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    state: Mapped[str] = mapped_column(sa.String(16))
    created_by_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    applied_by_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    applied_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    apply_error: Mapped[str] = mapped_column(sa.Text)
    result_data: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)


class ChangeRequestVoteRow(Base):
    """One vote; a user votes once per request (the unique constraint backs the domain rule)."""

    __tablename__ = "change_request_votes"
    __table_args__ = (sa.UniqueConstraint("change_request_id", "user_id"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    change_request_id: Mapped[str] = mapped_column(sa.ForeignKey("change_requests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.Integer)
    decision: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
