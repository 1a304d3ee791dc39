"""A project's snapshot documents: what they contain, how they are encoded, and their ETag.

A snapshot is derived data, built from a project's flags, group types and cohorts and kept in the cache tiers as
encoded bytes. Three kinds exist per project (PostHog's HyperCache values of the ``feature_flags`` namespace): the
local-evaluation feed with and without the ``cohorts`` map, and the document the engine compiles for ``/flags``.
Everything about their content lives here, so the source that builds them, the tiers that keep them and the paths
that serve them agree byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Final

import msgspec

from flagcore.domain.flags.model import FeatureFlag
from flagcore.domain.snapshots.cohort_inline import inline_single_cohort
from flagcore.domain.snapshots.feed import FeedFlag, feed_flags


class SnapshotKind(StrEnum):
    """The documents kept per project."""

    #: The local-evaluation feed with the ``cohorts`` map (``?send_cohorts``).
    DEFINITIONS_WITH_COHORTS = "definitions_with_cohorts"
    #: The local-evaluation feed without it.
    DEFINITIONS = "definitions"
    #: What the engine compiles for ``/flags``: the feed with cohorts plus the project's ``timezone``.
    EVALUATION = "evaluation"


class EncodedSnapshot(msgspec.Struct, frozen=True):
    """Bytes ready to send and their entity tag (no ``W/`` and no quotes); the tag changes exactly with the bytes."""

    body: bytes
    etag: str


class Definitions(msgspec.Struct, frozen=True, kw_only=True):
    """The local-evaluation feed (evaluation spec §10.6, management spec §6.5)."""

    flags: list[FeedFlag]
    group_type_mapping: dict[str, str]
    cohorts: dict[str, Any]


class EvaluationDocument(msgspec.Struct, frozen=True, kw_only=True):
    """The ``evaluation`` kind: the feed with cohorts plus the timezone the engine compiles it in.

    Carrying the timezone makes the snapshot self-contained (an instance compiles it from the cache alone) and makes
    a timezone change change the ETag, hence trigger a recompile.
    """

    flags: list[FeedFlag]
    group_type_mapping: dict[str, str]
    cohorts: dict[str, Any]
    timezone: str = "UTC"
    #: Ids of the static cohorts the flags reference (their membership is read per person, on the server).
    static_cohorts: list[int] = msgspec.field(default_factory=list)


_ENCODER: Final = msgspec.json.Encoder()
# Distinct per kind, so that two kinds never share an ETag even when their bytes are equal.
_PERSONS: Final = {
    SnapshotKind.DEFINITIONS_WITH_COHORTS: b"cohorts",
    SnapshotKind.DEFINITIONS: b"plain",
    SnapshotKind.EVALUATION: b"evaluation",
}


def build_definitions(
    flags: Iterable[FeatureFlag], *, group_type_mapping: Mapping[int, str], cohorts: Mapping[str, Any]
) -> Definitions:
    """The feed for a project's flags: non-deleted ones (inactive included), sorted by key for a stable ETag.

    Encrypted remote-config flags are excluded: their payload must be fetched decrypted from remote config.
    """
    live = [f for f in flags if not f.deleted and not (f.is_remote_configuration and f.has_encrypted_payloads)]
    return Definitions(
        flags=feed_flags(sorted(live, key=lambda f: f.key)),
        group_type_mapping={str(index): name for index, name in sorted(group_type_mapping.items())},
        cohorts=dict(cohorts),
    )


def snapshot_etag(body: bytes, kind: SnapshotKind) -> str:
    """The ETag of a snapshot: a digest of its bytes, so it changes exactly when the bytes do."""
    return hashlib.blake2b(body, digest_size=16, person=_PERSONS[kind]).hexdigest()


def encode_snapshot(
    definitions: Definitions, kind: SnapshotKind, *, timezone: str, static_cohorts: Iterable[int] = ()
) -> EncodedSnapshot:
    """The stored form of one kind of a project's snapshot.

    The feed without cohorts carries no ``cohorts`` map; a flag naming exactly one cohort gets it inlined there
    when it can be (``cohort_inline.py``). ``static_cohorts``: the live static cohorts the flags reference.
    """
    document: msgspec.Struct = definitions
    if kind is SnapshotKind.DEFINITIONS:
        statics = frozenset(static_cohorts)
        flags = [
            msgspec.structs.replace(f, filters=inline_single_cohort(f.filters, definitions.cohorts, statics))
            if definitions.cohorts or statics
            else f
            for f in definitions.flags
        ]
        document = msgspec.structs.replace(definitions, flags=flags, cohorts={})
    elif kind is SnapshotKind.EVALUATION:
        document = EvaluationDocument(
            flags=definitions.flags,
            group_type_mapping=definitions.group_type_mapping,
            cohorts=definitions.cohorts,
            timezone=timezone,
            static_cohorts=sorted(static_cohorts),
        )
    body = _ENCODER.encode(document)
    return EncodedSnapshot(body=body, etag=snapshot_etag(body, kind))


def empty_snapshot(kind: SnapshotKind, *, timezone: str) -> EncodedSnapshot:
    """The snapshot of a project without flags (or one the source no longer knows)."""
    return encode_snapshot(build_definitions([], group_type_mapping={}, cohorts={}), kind, timezone=timezone)


class _Timezone(msgspec.Struct):
    timezone: str = "UTC"


def evaluation_timezone(body: bytes) -> str:
    """The timezone an ``evaluation`` document was built in, read without decoding its flags."""
    return msgspec.json.decode(body, type=_Timezone).timezone
