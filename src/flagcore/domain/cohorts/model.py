"""Cohorts: dynamic ones (a property group over person properties) and static ones (a stored list of persons)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from flagcore.domain.errors import NotFoundError


class Cohort(msgspec.Struct, frozen=True, kw_only=True):
    """A project's cohort.

    Attributes:
        filters: ``{"properties": <property group>}`` for dynamic cohorts; ``{}`` for static ones.
        is_calculating: a static cohort is being filled (a CSV import, a flag's matching persons).
        count: persons in a static cohort (None for dynamic cohorts: flagcore has no events to count them on).
    """

    id: int
    project_id: int
    name: str | None
    description: str = ""
    filters: dict[str, Any] = msgspec.field(default_factory=dict)
    is_static: bool = False
    deleted: bool = False
    is_calculating: bool = False
    count: int | None = None
    errors_calculating: int = 0
    last_calculation: datetime | None = None
    created_by_id: int | None = None
    created_at: datetime
    version: int = 0

    @property
    def properties(self) -> dict[str, Any]:
        """The property group flags evaluate (the feed's ``cohorts`` value)."""
        group = self.filters.get("properties")
        return dict(group) if isinstance(group, dict) else {}


class NewCohort(msgspec.Struct, frozen=True, kw_only=True):
    project_id: int
    name: str | None
    description: str = ""
    filters: dict[str, Any] = msgspec.field(default_factory=dict)
    is_static: bool = False
    is_calculating: bool = False
    created_by_id: int | None = None
    created_at: datetime


class CohortNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")
