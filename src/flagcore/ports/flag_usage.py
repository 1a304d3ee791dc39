"""Flag usage storage: calls per flag and day, and when each flag was last called."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Protocol

from flagcore.domain.flags.usage import FlagCallKey, FlagCalls


class FlagUsageRepo(Protocol):
    """Usage of a project's flags, by flag key (the key ``$feature_flag_called`` events name).

    Ingestion writes it inside its unit of work, one ``record`` per batch of events; the status action reads it.
    """

    @abstractmethod
    async def record(self, calls: Mapping[FlagCallKey, FlagCalls]) -> None:
        """Add each count to its flag and day, and move the day's latest call forward (never back).

        Concurrent callers never lose each other's counts.

        Raises:
            BackendUnavailableError: the store cannot be reached; nothing was recorded.
        """
        ...

    @abstractmethod
    async def last_called(self, project_id: int, flag_keys: Collection[str]) -> dict[str, datetime]:
        """The latest recorded call of each of ``flag_keys`` (keys never called are absent).

        Raises:
            BackendUnavailableError: the store cannot be reached.
        """
        ...

    @abstractmethod
    async def daily(self, project_id: int, flag_key: str, start: date, end: date) -> dict[date, int]:
        """Calls per UTC day ``start <= day < end`` (days without calls are absent).

        Raises:
            BackendUnavailableError: the store cannot be reached.
        """
        ...
