"""Project snapshots: built from the flag store, and kept in process memory for a bounded time."""

from flagcore.adapters.snapshots.cached import CachedProjectSnapshots
from flagcore.adapters.snapshots.repo_snapshots import RepoProjectSnapshots

__all__ = ("CachedProjectSnapshots", "RepoProjectSnapshots")
