"""Snapshots built from the flag store (no cache tier yet)."""

from flagcore.adapters.snapshots.repo_snapshots import RepoProjectSnapshots

__all__ = ("RepoProjectSnapshots",)
