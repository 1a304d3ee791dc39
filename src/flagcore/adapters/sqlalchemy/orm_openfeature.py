"""ORM row of the OpenFeature declarations (imported at the end of ``orm.py``, on the same ``Base``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base


class FlagDeclarationRow(Base):
    __tablename__ = "openfeature_flag_declarations"

    flag_id: Mapped[int] = mapped_column(sa.ForeignKey("feature_flags.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    flag_type: Mapped[str] = mapped_column(sa.String(16))
    # The code default as JSON text: any JSON value (null too), identical on SQLite and PostgreSQL.
    default_value: Mapped[str] = mapped_column(sa.Text)
