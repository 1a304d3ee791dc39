"""ORM row of scheduled changes (same ``Base`` as ``orm.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base, JsonType


class ScheduledChangeRow(Base):
    __tablename__ = "scheduled_changes"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"))
    record_id: Mapped[str] = mapped_column(sa.String(200))
    model_name: Mapped[str] = mapped_column(sa.String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    scheduled_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    executed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    failure_reason: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    failure_count: Mapped[int] = mapped_column(sa.Integer)
    retry_after: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    # No foreign key: a change outlives its creator's account (the flag write then runs as the flag's creator).
    created_by_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    is_recurring: Mapped[bool] = mapped_column(sa.Boolean)
    recurrence_interval: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    cron_expression: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    last_executed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    end_date: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    timezone: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)

    __table_args__ = (
        sa.Index("ix_scheduled_changes_project_record", "project_id", "record_id"),
        # The runners' query: pending changes by time. Partial, so executed changes cost it nothing.
        sa.Index(
            "ix_scheduled_changes_pending",
            "scheduled_at",
            postgresql_where=sa.text("executed_at IS NULL"),
            sqlite_where=sa.text("executed_at IS NULL"),
        ),
    )
