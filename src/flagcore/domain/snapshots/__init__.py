"""Project snapshots: the documents built from a project's flags for serving, their encoding and ETags."""

from flagcore.domain.snapshots.documents import (
    Definitions,
    EncodedSnapshot,
    EvaluationDocument,
    SnapshotKind,
    build_definitions,
    empty_snapshot,
    encode_snapshot,
    evaluation_timezone,
    snapshot_etag,
)
from flagcore.domain.snapshots.feed import FeedFlag, dependency_chain, feed_flags

__all__ = (
    "Definitions",
    "EncodedSnapshot",
    "EvaluationDocument",
    "FeedFlag",
    "SnapshotKind",
    "build_definitions",
    "dependency_chain",
    "empty_snapshot",
    "encode_snapshot",
    "evaluation_timezone",
    "feed_flags",
    "snapshot_etag",
)
