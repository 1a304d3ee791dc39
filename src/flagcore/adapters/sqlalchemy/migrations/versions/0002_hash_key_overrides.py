"""Experience-continuity hash keys: one row per (project, distinct id, flag key), written once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hash_key_overrides",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("distinct_id", sa.Text(), nullable=False),
        sa.Column("flag_key", sa.Text(), nullable=False),
        sa.Column("hash_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_hash_key_overrides_project_id_projects"),
        # The primary key is also the conflict target of the adapter's insert-if-absent.
        sa.PrimaryKeyConstraint("project_id", "distinct_id", "flag_key", name="pk_hash_key_overrides"),
    )


def downgrade() -> None:
    op.drop_table("hash_key_overrides")
