"""OpenFeature: the CLI's flag manifest mapped onto PostHog flags, and PostHog evaluation mapped onto OFREP."""

from flagcore.domain.openfeature.errors import (
    FlagTypeChangeError,
    InvalidManifestError,
    ManifestFlagExistsError,
    ManifestFlagNotFoundError,
)
from flagcore.domain.openfeature.mapping import (
    creation_filters,
    declared_or_inferred,
    equal_weights,
    manifest_entry,
    validate_default,
)
from flagcore.domain.openfeature.model import FlagDeclaration, ManifestFlag, OpenFeatureType

__all__ = (
    "FlagDeclaration",
    "FlagTypeChangeError",
    "InvalidManifestError",
    "ManifestFlag",
    "ManifestFlagExistsError",
    "ManifestFlagNotFoundError",
    "OpenFeatureType",
    "creation_filters",
    "declared_or_inferred",
    "equal_weights",
    "manifest_entry",
    "validate_default",
)
