"""Initial schema: organizations, projects and their secret keys, users, memberships, personal API keys, flags.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Plain column types on purpose: a migration must not change when the ORM's Python-side types do.
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    _identity_tables()
    _flag_table()


def _identity_tables() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("api_token", sa.String(255), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_projects_organization_id_organizations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
        sa.UniqueConstraint("api_token", name="uq_projects_api_token"),
    )
    op.create_index("ix_projects_organization_id", "projects", ["organization_id"])
    op.create_table(
        "project_secret_keys",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("secure_value", sa.String(255), nullable=False),
        sa.Column("mask_value", sa.String(64), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_secret_keys_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_project_secret_keys"),
        sa.UniqueConstraint("secure_value", name="uq_project_secret_keys_secure_value"),
    )
    op.create_index("ix_project_secret_keys_project_id", "project_secret_keys", ["project_id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_lower", sa.String(254), nullable=False),
        sa.Column("first_name", sa.String(150), nullable=False),
        sa.Column("last_name", sa.String(150), nullable=False),
        sa.Column("distinct_id", sa.String(200), nullable=False),
        sa.Column("current_project_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["current_project_id"],
            ["projects.id"],
            name="fk_users_current_project_id_projects",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("uuid", name="uq_users_uuid"),
        sa.UniqueConstraint("email_lower", name="uq_users_email_lower"),
    )
    op.create_table(
        "memberships",
        sa.Column("organization_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name="fk_memberships_organization_id_organizations"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_memberships_user_id_users"),
        sa.PrimaryKeyConstraint("organization_id", "user_id", name="pk_memberships"),
    )
    op.create_index("ix_memberships_user_id", "memberships", ["user_id"])
    op.create_table(
        "personal_api_keys",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("secure_value", sa.String(255), nullable=False),
        sa.Column("mask_value", sa.String(64), nullable=False),
        sa.Column("scopes", _JSON, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("last_used_at", _TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_personal_api_keys_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_personal_api_keys"),
        sa.UniqueConstraint("secure_value", name="uq_personal_api_keys_secure_value"),
    )
    op.create_index("ix_personal_api_keys_user_id", "personal_api_keys", ["user_id"])


def _flag_table() -> None:
    op.create_table(
        "feature_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("filters", _JSON, nullable=False),
        sa.Column("is_multivariate", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ensure_experience_continuity", sa.Boolean(), nullable=False),
        sa.Column("evaluation_runtime", sa.String(16), nullable=False),
        sa.Column("bucketing_identifier", sa.String(32), nullable=False),
        sa.Column("is_remote_configuration", sa.Boolean(), nullable=False),
        sa.Column("has_encrypted_payloads", sa.Boolean(), nullable=False),
        sa.Column("tags", _JSON, nullable=False),
        sa.Column("evaluation_tags", _JSON, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("last_modified_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_feature_flags_project_id_projects"),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_feature_flags_created_by_id_users", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["last_modified_by_id"],
            ["users.id"],
            name="fk_feature_flags_last_modified_by_id_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_feature_flags"),
    )
    op.create_index("ix_feature_flags_project_id", "feature_flags", ["project_id"])
    # Keys are unique among live flags only, so a soft-deleted flag's key can be reused.
    if op.get_bind().dialect.name == "mysql":
        _mysql_live_key_index()
        return
    op.create_index(
        "uq_feature_flags_project_id_key_live",
        "feature_flags",
        ["project_id", "key"],
        unique=True,
        sqlite_where=sa.text("NOT deleted"),
        postgresql_where=sa.text("NOT deleted"),
    )


def _mysql_live_key_index() -> None:
    # MySQL has no partial indexes. A virtual column holds the key of a live flag and NULL for a deleted one, and a
    # unique index never compares NULLs: the same rule, under the same index name (which the adapter matches).
    op.add_column(
        "feature_flags",
        sa.Column(
            "live_key", sa.String(400), sa.Computed("CASE WHEN deleted THEN NULL ELSE `key` END", persisted=False)
        ),
    )
    op.create_index("uq_feature_flags_project_id_key_live", "feature_flags", ["project_id", "live_key"], unique=True)


def downgrade() -> None:
    op.drop_table("feature_flags")
    op.drop_table("personal_api_keys")
    op.drop_table("memberships")
    op.drop_table("users")
    op.drop_table("project_secret_keys")
    op.drop_table("projects")
    op.drop_table("organizations")
