"""Whether the store can serve this version of flagcore: reachable, and migrated far enough."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

import msgspec


class DatabaseState(msgspec.Struct, frozen=True, kw_only=True):
    """What a readiness probe found.

    Attributes:
        ready: reachable and migrated to this version's head revision, or beyond it (a newer flagcore migrated it:
            migrations are additive, so this version runs on that schema, as during a rolling upgrade).
        detail: one line, fit for a public probe: ``"at 0003 (head)"``, ``"at 0002, this version needs 0003: run
            ..."``, or which kind of failure (``"the database does not exist"``). No names, URLs or messages.
        revision: the database's schema revision, if it could be read.
        head: the revision this version needs (``None`` for storage without migrations).
        cause: for the log only: the driver's reason (it may name the database or the role).
    """

    ready: bool
    detail: str
    revision: str | None = None
    head: str | None = None
    cause: str | None = None


class DatabaseProbe(Protocol):
    @abstractmethod
    async def check(self) -> DatabaseState:
        """Probe the store cheaply (one query at most). Never raises: failures are a state that is not ready.

        A ready answer may be reused for a few seconds, so probing often costs the store almost nothing.
        """
        ...
