"""The activity log: one entry per change, written in the same transaction as the change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("activity", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_activity_log"),
        sa.UniqueConstraint("id", name="uq_activity_log_id"),
    )
    op.create_index(
        "ix_activity_log_project_scope_item", "activity_log", ["project_id", "scope", "item_id", "created_at"]
    )
    op.create_index("ix_activity_log_organization_id", "activity_log", ["organization_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_activity_log_organization_id", table_name="activity_log")
    op.drop_index("ix_activity_log_project_scope_item", table_name="activity_log")
    op.drop_table("activity_log")
