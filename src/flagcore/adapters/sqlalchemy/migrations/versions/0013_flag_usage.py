"""Flag usage: calls of each flag key per project and UTC day, with the day's latest call.

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_usage_daily",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("flag_key", sa.String(length=400), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("last_called_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "flag_key", "day", name="pk_flag_usage_daily"),
    )


def downgrade() -> None:
    op.drop_table("flag_usage_daily")
