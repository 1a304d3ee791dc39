"""ORM row of flag usage: calls of one flag key per project and UTC day (same ``Base`` as ``orm.py``)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base


class FlagUsageRow(Base):
    """Calls of a flag key on one day.

    Keyed by the key the events name, not the flag id (no foreign key): an event for a flag that does not exist
    (yet) is counted, as PostHog's events are.
    """

    __tablename__ = "flag_usage_daily"

    project_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    flag_key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    calls: Mapped[int] = mapped_column(sa.BigInteger)
    last_called_at: Mapped[datetime] = mapped_column(DateTimeUTC())
