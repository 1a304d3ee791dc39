"""Groups: the project's group types (company, organization, ...) that group-aggregated flags bucket by."""

from flagcore.domain.groups.model import (
    MAX_GROUP_TYPES,
    GroupType,
    GroupTypeLimitError,
    next_group_type_index,
    validate_group_type_name,
)

__all__ = (
    "MAX_GROUP_TYPES",
    "GroupType",
    "GroupTypeLimitError",
    "next_group_type_index",
    "validate_group_type_name",
)
