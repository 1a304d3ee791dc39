"""Cohorts: what they are, the filters PostHog accepts, and which of them a project's snapshot carries."""

from flagcore.domain.cohorts.feed import feed_cohorts
from flagcore.domain.cohorts.model import Cohort, CohortNotFoundError, NewCohort
from flagcore.domain.cohorts.validation import (
    CohortFiltersError,
    check_references,
    referenced_cohorts,
    validate_filters,
)

__all__ = (
    "Cohort",
    "CohortFiltersError",
    "CohortNotFoundError",
    "NewCohort",
    "check_references",
    "feed_cohorts",
    "referenced_cohorts",
    "validate_filters",
)
