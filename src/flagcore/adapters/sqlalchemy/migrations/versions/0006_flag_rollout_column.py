"""Flags: ``is_rolled_out``, derived from the filters on every write, for the ``active=STALE`` listing filter.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import msgspec
import sqlalchemy as sa
from alembic import op

from flagcore.domain.flags import Filters
from flagcore.domain.flags.status import is_fully_rolled_out

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feature_flags") as batch:
        batch.add_column(sa.Column("is_rolled_out", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Existing flags get the value the adapter would have written for them.
    flags = sa.table("feature_flags", sa.column("id", sa.Integer), sa.column("filters", sa.JSON))
    bind = op.get_bind()
    rolled_out = [
        row.id
        for row in bind.execute(sa.select(flags.c.id, flags.c.filters))
        if is_fully_rolled_out(msgspec.convert(row.filters or {}, Filters))
    ]
    column = sa.table("feature_flags", sa.column("id", sa.Integer), sa.column("is_rolled_out", sa.Boolean))
    for start in range(0, len(rolled_out), 500):
        ids = rolled_out[start : start + 500]
        bind.execute(sa.update(column).where(column.c.id.in_(ids)).values(is_rolled_out=True))


def downgrade() -> None:
    with op.batch_alter_table("feature_flags") as batch:
        batch.drop_column("is_rolled_out")
