"""ORM rows of the admin UI's sign-in: sessions, password hashes, failed attempts (same ``Base`` as ``orm.py``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from flagcore.adapters.sqlalchemy.orm_base import Base


class UiSessionRow(Base):
    __tablename__ = "ui_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC())
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC())


class UserPasswordRow(Base):
    __tablename__ = "user_passwords"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(sa.String(512))


class SignInFailureRow(Base):
    __tablename__ = "sign_in_failures"

    email: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer)
    since: Mapped[datetime] = mapped_column(DateTimeUTC())
