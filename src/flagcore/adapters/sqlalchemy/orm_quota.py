"""ORM rows of quotas: organization limits and daily usage counters (same ``Base`` as ``orm.py``)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base


class QuotaLimitRow(Base):
    """An organization's limit on one resource."""

    __tablename__ = "quota_limits"

    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    resource: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    quota_limit: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    grace_period_days: Mapped[int] = mapped_column(sa.Integer)
    suspended_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC())


class UsageCounterRow(Base):
    """Units of one resource an organization used on one UTC day (no foreign key: counted before it is checked)."""

    __tablename__ = "usage_counters"

    organization_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    resource: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
