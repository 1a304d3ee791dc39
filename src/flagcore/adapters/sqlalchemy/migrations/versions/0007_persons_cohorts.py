"""Persons and their distinct ids, groups, cohorts and static cohort membership.

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("properties", _JSON, nullable=False),
        sa.Column("is_identified", sa.Boolean(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_persons_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_persons"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_persons_project_id_id", "persons", ["project_id", "id"])
    op.create_index("ix_persons_project_id_uuid", "persons", ["project_id", "uuid"])
    op.create_table(
        "person_distinct_ids",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("person_id", _BIG_ID, nullable=False),
        sa.Column("distinct_id", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_person_distinct_ids_person_id_persons", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_person_distinct_ids"),
        sa.UniqueConstraint("project_id", "distinct_id", name="uq_person_distinct_ids_project_id_distinct_id"),
    )
    op.create_index("ix_person_distinct_ids_person_id", "person_distinct_ids", ["person_id"])
    op.create_table(
        "groups",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("group_type_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_key", sa.String(length=400), nullable=False),
        sa.Column("properties", _JSON, nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_groups_project_id_projects"),
        sa.PrimaryKeyConstraint("project_id", "group_type_index", "group_key", name="pk_groups"),
    )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("filters", _JSON, nullable=False),
        sa.Column("is_static", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("is_calculating", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("errors_calculating", sa.Integer(), nullable=False),
        sa.Column("last_calculation", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_cohorts_project_id_projects"),
        sa.PrimaryKeyConstraint("id", name="pk_cohorts"),
    )
    op.create_index("ix_cohorts_project_id", "cohorts", ["project_id"])
    op.create_table(
        "cohort_people",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("person_id", _BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name="fk_cohort_people_cohort_id_cohorts", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_cohort_people_person_id_persons", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("cohort_id", "person_id", name="pk_cohort_people"),
    )
    op.create_index("ix_cohort_people_person_id", "cohort_people", ["person_id"])


def downgrade() -> None:
    # MySQL refuses to drop an index that a foreign key uses; dropping the table removes its indexes anyway.
    mysql = op.get_bind().dialect.name == "mysql"
    if not mysql:
        op.drop_index("ix_cohort_people_person_id", table_name="cohort_people")
    op.drop_table("cohort_people")
    if not mysql:
        op.drop_index("ix_cohorts_project_id", table_name="cohorts")
    op.drop_table("cohorts")
    op.drop_table("groups")
    if not mysql:
        op.drop_index("ix_person_distinct_ids_person_id", table_name="person_distinct_ids")
    op.drop_table("person_distinct_ids")
    if not mysql:
        op.drop_index("ix_persons_project_id_uuid", table_name="persons")
        op.drop_index("ix_persons_project_id_id", table_name="persons")
    op.drop_table("persons")
