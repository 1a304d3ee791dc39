"""Experience-continuity hash keys: one row per (project, distinct id, flag key), written once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "mysql":
        _mysql_table()
        return
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


def _mysql_table() -> None:
    # MySQL cannot key a table on unbounded text, nor make a generated column part of a primary key: a stored hash
    # of (distinct id, flag key), unique per project, is the key instead (NUL never occurs in the stored, escaped
    # values, so it separates them unambiguously), and a prefix index serves the lookups by distinct id.
    op.create_table(
        "hash_key_overrides",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("distinct_id", sa.Text(), nullable=False),
        sa.Column("flag_key", sa.Text(), nullable=False),
        sa.Column("hash_key", sa.Text(), nullable=False),
        sa.Column(
            "override_key",
            mysql.BINARY(32),
            sa.Computed("UNHEX(SHA2(CONCAT(distinct_id, CHAR(0), flag_key), 256))", persisted=True),
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_hash_key_overrides_project_id_projects"),
    )
    op.create_index(
        "uq_hash_key_overrides_override_key", "hash_key_overrides", ["project_id", "override_key"], unique=True
    )
    op.create_index(
        "ix_hash_key_overrides_distinct_id",
        "hash_key_overrides",
        ["project_id", "distinct_id"],
        mysql_length={"distinct_id": 255},
    )


def downgrade() -> None:
    op.drop_table("hash_key_overrides")
