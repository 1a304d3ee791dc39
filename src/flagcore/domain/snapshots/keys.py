"""Where each snapshot kind lives in the shared tiers: PostHog's HyperCache key layout, used by Redis and S3 alike."""

from __future__ import annotations

from typing import Final

from flagcore.domain.snapshots import SnapshotKind

FILE_NAMES: Final = {
    SnapshotKind.DEFINITIONS_WITH_COHORTS: "flags_with_cohorts.json",
    SnapshotKind.DEFINITIONS: "flags_without_cohorts.json",
    SnapshotKind.EVALUATION: "flags.json",
}


def namespace_key(key_prefix: str, project_id: int) -> str:
    """``cache/teams/{project_id}/feature_flags``: the project's namespace (the generation key hangs off it)."""
    return f"{key_prefix}cache/teams/{project_id}/feature_flags"


def snapshot_key(key_prefix: str, project_id: int, kind: SnapshotKind) -> str:
    """The key (Redis) or object name (S3) of one kind; its ETag key in Redis is this plus ``:etag``."""
    return f"{namespace_key(key_prefix, project_id)}/{FILE_NAMES[kind]}"
