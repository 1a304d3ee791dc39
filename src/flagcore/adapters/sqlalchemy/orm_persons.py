"""ORM rows of persons, their distinct ids, groups, cohorts and static cohort membership.

Sized for millions of persons per project: every lookup the serving paths make is one index probe
(``(project_id, distinct_id)`` unique, then the person by primary key; groups by their primary key). Properties
are JSON (JSONB on PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base, JsonType

#: 64-bit ids on PostgreSQL; SQLite's rowid alias must be declared INTEGER to autoincrement.
BigId: Final = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class PersonRow(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(sa.String(36))
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    properties: Mapped[dict[str, Any]] = mapped_column(JsonType)
    is_identified: Mapped[bool] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    version: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.Index("ix_persons_project_id_id", "project_id", "id"),
        sa.Index("ix_persons_project_id_uuid", "project_id", "uuid"),
        # A deleted person's id is never reused (memberships and logs may still name it).
        {"sqlite_autoincrement": True},
    )


class PersonDistinctIdRow(Base):
    __tablename__ = "person_distinct_ids"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.Integer)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    distinct_id: Mapped[str] = mapped_column(sa.String(400))

    __table_args__ = (sa.UniqueConstraint("project_id", "distinct_id"),)


class GroupRow(Base):
    __tablename__ = "groups"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), primary_key=True)
    group_type_index: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    group_key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    properties: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    version: Mapped[int] = mapped_column(sa.BigInteger)


class CohortRow(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    description: Mapped[str] = mapped_column(sa.String(1000))
    filters: Mapped[dict[str, Any]] = mapped_column(JsonType)
    is_static: Mapped[bool] = mapped_column(sa.Boolean)
    deleted: Mapped[bool] = mapped_column(sa.Boolean)
    is_calculating: Mapped[bool] = mapped_column(sa.Boolean)
    count: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    errors_calculating: Mapped[int] = mapped_column(sa.Integer)
    last_calculation: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    version: Mapped[int] = mapped_column(sa.Integer)


class CohortPersonRow(Base):
    """A person's membership of a static cohort."""

    __tablename__ = "cohort_people"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True, index=True
    )


__all__ = ("CohortPersonRow", "CohortRow", "GroupRow", "PersonDistinctIdRow", "PersonRow")
