"""Time as an input, so use cases and tests control it."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    @abstractmethod
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...
