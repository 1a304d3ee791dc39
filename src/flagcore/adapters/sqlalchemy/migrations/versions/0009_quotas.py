"""Quotas: organization limits and daily usage counters.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quota_limits",
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("quota_limit", sa.BigInteger(), nullable=True),
        sa.Column("grace_period_days", sa.Integer(), nullable=False),
        sa.Column("suspended_until", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_quota_limits_organization_id_organizations"
        ),
        sa.PrimaryKeyConstraint("organization_id", "resource", name="pk_quota_limits"),
    )
    op.create_table(
        "usage_counters",
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("resource", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "resource", "day", name="pk_usage_counters"),
    )


def downgrade() -> None:
    op.drop_table("usage_counters")
    op.drop_table("quota_limits")
