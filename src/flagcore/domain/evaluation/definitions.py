"""The definitions document the engine reads: the local-evaluation feed (spec §1, §10.6).

The document is read leniently, one flag at a time, so that one malformed flag cannot prevent the others from
evaluating: :func:`parse_definitions` returns every readable flag plus a failure record for each unreadable one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from flagcore.domain.json_limits import check_document_depth

__all__ = (
    "ParsedDefinitions",
    "RawCondition",
    "RawFilters",
    "RawFlag",
    "RawHoldout",
    "RawMultivariate",
    "RawVariant",
    "UnreadableFlag",
    "parse_definitions",
)


class RawVariant(msgspec.Struct, frozen=True):
    key: str
    rollout_percentage: float
    name: str | None = None


class RawMultivariate(msgspec.Struct, frozen=True):
    variants: list[RawVariant] | None = None


class RawCondition(msgspec.Struct, frozen=True):
    properties: list[dict[str, Any]] | None = None
    rollout_percentage: float | None = None
    variant: str | None = None
    # Absent inherits the flag-level aggregation; an explicit null means "person" (mixed targeting).
    aggregation_group_type_index: int | None | msgspec.UnsetType = msgspec.UNSET


class RawHoldout(msgspec.Struct, frozen=True):
    id: int
    exclusion_percentage: float


class RawFilters(msgspec.Struct, frozen=True):
    groups: list[RawCondition] | None = None
    multivariate: RawMultivariate | None = None
    aggregation_group_type_index: int | None = None
    payloads: dict[str, Any] | None = None
    feature_enrollment: bool | None = None
    super_groups: list[RawCondition] | None = None
    holdout: RawHoldout | None = None
    early_exit: bool | None = None
    version: int | None = None


class RawFlag(msgspec.Struct, frozen=True):
    key: str
    id: int | None = None
    filters: RawFilters | None = None
    active: bool = True
    deleted: bool = False
    ensure_experience_continuity: bool | None = None
    version: int | None = None
    evaluation_runtime: str | None = None
    evaluation_contexts: list[str] | None = None
    evaluation_tags: list[str] | None = None
    bucketing_identifier: str | None = None


class UnreadableFlag(msgspec.Struct, frozen=True):
    """A flag whose definition could not be read; it is reported as failed."""

    key: str
    id: int | None
    version: int | None
    active: bool
    detail: str


class ParsedDefinitions(msgspec.Struct, frozen=True):
    """A parsed definitions document."""

    flags: tuple[RawFlag, ...]
    unreadable: tuple[UnreadableFlag, ...]
    group_type_mapping: dict[str, str]
    cohorts: dict[str, Any]
    property_matching_version: int
    #: Ids of the project's static cohorts (membership is stored, not in the document).
    static_cohorts: tuple[int, ...] = ()


class _Document(msgspec.Struct, frozen=True):
    flags: list[Any] = msgspec.field(default_factory=list)
    group_type_mapping: dict[str, str] | None = None
    cohorts: dict[str, Any] | None = None
    property_matching_version: int | None = None
    static_cohorts: list[int] | None = None


def parse_definitions(document: Mapping[str, Any] | bytes | str) -> ParsedDefinitions:
    """Read a definitions document (``flags``, ``group_type_mapping``, ``cohorts``).

    Args:
        document: the JSON text or the decoded mapping.

    Returns:
        The readable, non-deleted flags in document order and one :class:`UnreadableFlag` per flag whose shape is
        wrong. Entries without a string ``key`` cannot be named in a response and are dropped.

    Raises:
        msgspec.DecodeError: the text is not JSON, or nests deeper than ``MAX_DOCUMENT_JSON_DEPTH``.
        msgspec.ValidationError: the document itself (not one flag) has the wrong shape.
    """
    if isinstance(document, bytes | str):
        check_document_depth(document)
        doc = msgspec.json.decode(document, type=_Document)
    else:
        doc = msgspec.convert(document, _Document)
    flags: list[RawFlag] = []
    unreadable: list[UnreadableFlag] = []
    for raw in doc.flags:
        try:
            flag = msgspec.convert(raw, RawFlag)
        except msgspec.ValidationError as exc:
            failure = _unreadable(raw, str(exc))
            if failure is not None:
                unreadable.append(failure)
            continue
        if not flag.deleted:
            flags.append(flag)
    return ParsedDefinitions(
        flags=tuple(flags),
        unreadable=tuple(unreadable),
        group_type_mapping=doc.group_type_mapping or {},
        cohorts=doc.cohorts or {},
        property_matching_version=doc.property_matching_version or 1,
        static_cohorts=tuple(doc.static_cohorts or ()),
    )


def _unreadable(raw: object, detail: str) -> UnreadableFlag | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) or raw.get("deleted") is True:
        return None
    flag_id = raw.get("id")
    version = raw.get("version")
    return UnreadableFlag(
        key=raw["key"],
        id=flag_id if type(flag_id) is int else None,
        version=version if type(version) is int else None,
        active=raw.get("active") is not False,
        detail=detail,
    )
