"""Values the engine takes in (:class:`Subject`) and hands out (:class:`FlagResult`)."""

from __future__ import annotations

from enum import IntEnum
from functools import cache
from typing import Any, Final

import msgspec

from flagcore.domain.evaluation.matching.context import FlagValue

__all__ = (
    "FLAG_DATA_PARSING_ERROR",
    "FlagResult",
    "FlagValue",
    "Reason",
    "Subject",
    "reason_description",
)


#: Error code of a flag whose stored definition cannot be read (the flag fails, the others still evaluate).
FLAG_DATA_PARSING_ERROR: Final = "flag_data_parsing_error"


class Reason(IntEnum):
    """Why a flag got its value, ordered by the server's priority score (a higher score wins)."""

    MISSING_DEPENDENCY = -1
    FLAG_DISABLED = 0
    NO_GROUP_TYPE = 1
    NO_CONDITION_MATCH = 2
    OUT_OF_ROLLOUT_BOUND = 3
    CONDITION_MATCH = 4
    HOLDOUT_CONDITION_VALUE = 5
    SUPER_CONDITION_VALUE = 6

    @property
    def code(self) -> str:
        """The wire code, e.g. ``"out_of_rollout_bound"``."""
        return _CODES[self]


# Built once so that the thousands of precompiled results of a snapshot share one string per code.
_CODES: Final = {reason: reason.name.lower() for reason in Reason}


_GROUPS_NOT_EVALUATED: Final = (
    "No matching condition set (group conditions were not evaluated because no group type was provided)"
)
_DESCRIPTIONS: Final = {
    Reason.SUPER_CONDITION_VALUE: "Super condition value",
    Reason.HOLDOUT_CONDITION_VALUE: "Holdout condition value",
    Reason.OUT_OF_ROLLOUT_BOUND: "Out of rollout bound",
    Reason.NO_CONDITION_MATCH: "No matching condition set",
    Reason.NO_GROUP_TYPE: "No group type",
    Reason.FLAG_DISABLED: "Feature flag is disabled",
    Reason.MISSING_DEPENDENCY: "Flag cannot be evaluated due to missing dependency",
}


def reason_description(reason: Reason, condition_index: int | None, *, groups_skipped: bool = False) -> str:
    """The server's human-readable ``reason.description`` for a reason.

    Args:
        reason: the reason.
        condition_index: zero-based index of the condition the reason refers to, if any.
        groups_skipped: for ``NO_CONDITION_MATCH``, whether group conditions were skipped for lack of a group key
            (the server then keeps the code but uses a longer description).

    Returns:
        The description string, e.g. ``"Matched condition set 2"`` for a match of condition index 1.
    """
    if reason is Reason.CONDITION_MATCH:
        return _matched_description(condition_index or 0)
    if reason is Reason.NO_CONDITION_MATCH and groups_skipped:
        return _GROUPS_NOT_EVALUATED
    return _DESCRIPTIONS[reason]


@cache
def _matched_description(condition_index: int) -> str:
    # Shared between flags: a snapshot holds one precompiled match result per condition and variant.
    return f"Matched condition set {condition_index + 1}"


class Subject(msgspec.Struct, frozen=True, kw_only=True):
    """Who a flag is evaluated for, with everything the request and the person store know about them.

    Attributes:
        distinct_id: the subject's distinct id (the API layer stringifies numeric ids).
        person_properties: person properties, request overrides already merged over stored ones.
        groups: group type name to group key (a JSON string or number, as the request sent it).
        group_properties: group type name to that group's properties.
        device_id: the request's ``$device_id`` (used by flags bucketing on ``device_id``).
        anon_distinct_id: the request's ``$anon_distinct_id`` (experience continuity fallback identifier).
        hash_key_overrides: stored experience-continuity hash keys, by flag key.
        static_cohorts: ids of the static cohorts the person belongs to.
    """

    distinct_id: str
    person_properties: dict[str, Any] = msgspec.field(default_factory=dict)
    groups: dict[str, Any] = msgspec.field(default_factory=dict)
    group_properties: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    device_id: str | None = None
    anon_distinct_id: str | None = None
    hash_key_overrides: dict[str, str] = msgspec.field(default_factory=dict)
    static_cohorts: frozenset[int] = frozenset()


class FlagResult(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The outcome of one flag for one subject, rich enough for every /flags and /decide response version.

    Attributes:
        key: the flag key.
        enabled: whether the flag is on (false for failed flags).
        variant: the variant key, ``holdout-<id>`` for holdout members, else ``None``.
        payload: the stored payload for the outcome, unparsed (normally a JSON-encoded string), or ``None``.
        reason: the wire reason code (for failed flags, the error code, as the server does).
        condition_index: zero-based index of the deciding condition, or ``None``.
        description: the server's reason description (``None`` for failed flags).
        error_code: set only when the flag failed to evaluate (OpenFeature ``error_code``).
        flag_id: the flag's database id (``metadata.id``).
        version: the flag's version (``metadata.version``).
    """

    key: str
    enabled: bool
    variant: str | None = None
    payload: Any = None
    reason: str
    condition_index: int | None = None
    description: str | None = None
    error_code: str | None = None
    flag_id: int | None = None
    version: int | None = None

    @property
    def failed(self) -> bool:
        """Whether the evaluation failed (the flag is reported with ``failed: true`` and value ``false``)."""
        return self.error_code is not None

    @property
    def value(self) -> FlagValue:
        """The flag's value as other flags and the legacy responses see it: the variant, else ``enabled``."""
        return self.variant if self.variant is not None else self.enabled
