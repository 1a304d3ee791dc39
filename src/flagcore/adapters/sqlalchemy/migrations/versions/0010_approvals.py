"""Approvals: approval policies, change requests and their votes.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "approval_policies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("scope_project", sa.Integer(), nullable=False),
        sa.Column("action_key", sa.String(length=128), nullable=False),
        sa.Column("conditions", _JSON, nullable=False),
        sa.Column("approver_config", _JSON, nullable=False),
        sa.Column("allow_self_approve", sa.Boolean(), nullable=False),
        sa.Column("bypass_org_membership_levels", _JSON, nullable=False),
        sa.Column("bypass_roles", _JSON, nullable=False),
        sa.Column("expires_after_s", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name="fk_approval_policies_organization_id_organizations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_approval_policies"),
        sa.UniqueConstraint(
            "organization_id",
            "scope_project",
            "action_key",
            name="uq_approval_policies_organization_id_scope_project_action_key",
        ),
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("action_key", sa.String(length=128), nullable=False),
        sa.Column("action_version", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("intent", _JSON, nullable=False),
        sa.Column("intent_display", _JSON, nullable=False),
        sa.Column("policy_snapshot", _JSON, nullable=False),
        sa.Column("validation_status", sa.String(length=16), nullable=False),
        sa.Column("validation_errors", _JSON, nullable=True),
        sa.Column("validated_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("applied_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("apply_error", sa.Text(), nullable=False),
        sa.Column("result_data", _JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_change_requests_project_id_projects", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_change_requests"),
    )
    op.create_index("ix_change_requests_project_created", "change_requests", ["project_id", "created_at"])
    op.create_index("ix_change_requests_state_expires", "change_requests", ["state", "expires_at"])
    op.create_index("ix_change_requests_resource", "change_requests", ["project_id", "action_key", "resource_id"])
    op.create_table(
        "change_request_votes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("change_request_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_request_id"],
            ["change_requests.id"],
            name="fk_change_request_votes_change_request_id_change_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_change_request_votes"),
        sa.UniqueConstraint("change_request_id", "user_id", name="uq_change_request_votes_change_request_id_user_id"),
    )


def downgrade() -> None:
    # MySQL refuses to drop an index that a foreign key uses; dropping the table removes its indexes anyway.
    mysql = op.get_bind().dialect.name == "mysql"
    op.drop_table("change_request_votes")
    if not mysql:
        op.drop_index("ix_change_requests_resource", table_name="change_requests")
        op.drop_index("ix_change_requests_state_expires", table_name="change_requests")
        op.drop_index("ix_change_requests_project_created", table_name="change_requests")
    op.drop_table("change_requests")
    op.drop_table("approval_policies")
