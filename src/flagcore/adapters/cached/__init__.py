"""Read-through caches in process memory, wrapping another adapter of the same port."""

from flagcore.adapters.cached.identity import LastKnownApiKeyRepo, LastKnownOrganizationRepo, LastKnownUserRepo
from flagcore.adapters.cached.projects import CachedProjectRepo

__all__ = ("CachedProjectRepo", "LastKnownApiKeyRepo", "LastKnownOrganizationRepo", "LastKnownUserRepo")
