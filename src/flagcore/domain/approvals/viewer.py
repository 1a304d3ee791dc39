"""Who acts on a change request or makes a gated write."""

from __future__ import annotations

import msgspec


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """A user and their organization membership level (None: no membership)."""

    user_id: int | None
    level: int | None = None
