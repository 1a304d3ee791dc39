"""Admin UI sign-in: sessions, password hashes and failed sign-in counts.

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ui_sessions",
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=128), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_ui_sessions_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_ui_sessions"),
    )
    op.create_index("ix_ui_sessions_user_id", "ui_sessions", ["user_id"], unique=False)
    op.create_table(
        "user_passwords",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=512), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_user_passwords_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name="pk_user_passwords"),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("since", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name="pk_sign_in_failures"),
    )


def downgrade() -> None:
    # MySQL refuses to drop an index that a foreign key uses; dropping the table removes its indexes anyway.
    mysql = op.get_bind().dialect.name == "mysql"
    op.drop_table("sign_in_failures")
    op.drop_table("user_passwords")
    if not mysql:
        op.drop_index("ix_ui_sessions_user_id", table_name="ui_sessions")
    op.drop_table("ui_sessions")
