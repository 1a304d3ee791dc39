"""Group types of a project (company, team, ...): name and index both unique per project.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_types",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("group_type_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_type", sa.String(length=400), nullable=False),
        sa.Column("name_singular", sa.String(length=400), nullable=True),
        sa.Column("name_plural", sa.String(length=400), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_group_types_project_id_projects"),
        sa.PrimaryKeyConstraint("project_id", "group_type_index", name="pk_group_types"),
        sa.UniqueConstraint("project_id", "group_type", name="uq_group_types_project_id_group_type"),
    )


def downgrade() -> None:
    op.drop_table("group_types")
