"""Flag management: the feature flag, its filters and PostHog's rules for writing them."""

from flagcore.domain.flags.dependencies import active_dependents, check_transition, validate_dependencies
from flagcore.domain.flags.errors import (
    DuplicateFlagKeyError,
    FlagNotFoundError,
    InvalidFiltersError,
    VersionConflictError,
)
from flagcore.domain.flags.model import (
    ConditionGroup,
    FeatureFlag,
    Filters,
    Holdout,
    Multivariate,
    NewFlag,
    PropertyFilter,
    Variant,
)
from flagcore.domain.flags.parsing import merge_filters, parse_filters
from flagcore.domain.flags.validation import (
    DependencyInfo,
    cohort_ids,
    flag_dependency_ids,
    normalize_payloads,
    normalize_tags,
    validate_evaluation_tags,
    validate_filters,
    validate_key,
)

__all__ = (
    "ConditionGroup",
    "DependencyInfo",
    "DuplicateFlagKeyError",
    "FeatureFlag",
    "Filters",
    "FlagNotFoundError",
    "Holdout",
    "InvalidFiltersError",
    "Multivariate",
    "NewFlag",
    "PropertyFilter",
    "Variant",
    "VersionConflictError",
    "active_dependents",
    "check_transition",
    "cohort_ids",
    "flag_dependency_ids",
    "merge_filters",
    "normalize_payloads",
    "normalize_tags",
    "parse_filters",
    "validate_dependencies",
    "validate_evaluation_tags",
    "validate_filters",
    "validate_key",
)
