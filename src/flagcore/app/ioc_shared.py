"""Values the composition modules (``ioc.py`` and the providers it imports on demand) hand each other.

In a module of their own so that ``ioc_sql.py`` does not import ``ioc.py``, which imports it (no import circle).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flagcore.ports.quota import QuotaLimitRepo, UsageCounters


class CredentialCache(NamedTuple):
    """How many credential lookups were answered from the last known value (0 where nothing is cached)."""

    stale_served: Callable[[], int]


class QuotaDatabase(NamedTuple):
    """The quota stores of the configured database: its limits and, without Redis, its usage counters."""

    name: str
    limits: QuotaLimitRepo
    counters: UsageCounters
