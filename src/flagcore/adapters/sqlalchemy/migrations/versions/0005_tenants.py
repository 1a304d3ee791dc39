"""Tenants: personal API keys limited to some projects or organizations; when a member joined.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # Nullable additions: plain ALTER TABLE ... ADD COLUMN on both backends, no SQLite table rebuild.
    op.add_column("personal_api_keys", sa.Column("scoped_teams", _JSON, nullable=True))
    op.add_column("personal_api_keys", sa.Column("scoped_organizations", _JSON, nullable=True))
    op.add_column("memberships", sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("joined_at")
    with op.batch_alter_table("personal_api_keys") as batch:
        batch.drop_column("scoped_organizations")
        batch.drop_column("scoped_teams")
