"""OpenFeature declarations: a flag's declared type and code default, so a manifest round-trips unchanged.

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "openfeature_flag_declarations",
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("flag_type", sa.String(length=16), nullable=False),
        sa.Column("default_value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"],
            ["feature_flags.id"],
            name="fk_openfeature_flag_declarations_flag_id_feature_flags",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name="fk_openfeature_flag_declarations_project_id_projects"
        ),
        sa.PrimaryKeyConstraint("flag_id", name="pk_openfeature_flag_declarations"),
    )
    op.create_index(
        "ix_openfeature_flag_declarations_project_id", "openfeature_flag_declarations", ["project_id"], unique=False
    )


def downgrade() -> None:
    # MySQL refuses to drop an index that a foreign key uses; dropping the table removes its indexes anyway.
    mysql = op.get_bind().dialect.name == "mysql"
    if not mysql:
        op.drop_index("ix_openfeature_flag_declarations_project_id", table_name="openfeature_flag_declarations")
    op.drop_table("openfeature_flag_declarations")
