"""Scheduled changes of flags.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "scheduled_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("model_name", sa.String(length=32), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("scheduled_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("executed_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("failure_reason", _JSON, nullable=True),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("retry_after", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("is_recurring", sa.Boolean(), nullable=False),
        sa.Column("recurrence_interval", sa.String(length=16), nullable=True),
        sa.Column("cron_expression", sa.String(length=100), nullable=True),
        sa.Column("last_executed_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("end_date", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_scheduled_changes_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_scheduled_changes"),
    )
    op.create_index("ix_scheduled_changes_project_record", "scheduled_changes", ["project_id", "record_id"])
    op.create_index(
        "ix_scheduled_changes_pending",
        "scheduled_changes",
        ["scheduled_at"],
        postgresql_where=sa.text("executed_at IS NULL"),
        sqlite_where=sa.text("executed_at IS NULL"),
    )


def downgrade() -> None:
    # MySQL refuses to drop an index that a foreign key uses; dropping the table removes its indexes anyway.
    mysql = op.get_bind().dialect.name == "mysql"
    if not mysql:
        op.drop_index("ix_scheduled_changes_pending", table_name="scheduled_changes")
        op.drop_index("ix_scheduled_changes_project_record", table_name="scheduled_changes")
    op.drop_table("scheduled_changes")
