"""Identify, alias and merge decisions (spec §1.6 "Identify, alias and merge"): which writes a merge means."""

from __future__ import annotations

from enum import StrEnum

from flagcore.domain.persons.model import Person


class MergeOutcome(StrEnum):
    """What merging two distinct ids comes to, given the persons they already have."""

    #: Same id, or both ids already name one person.
    NOTHING = "nothing"
    #: Neither id has a person: create one holding both.
    CREATE = "create"
    #: Only ``into`` has a person: add ``other`` to it.
    ADD_OTHER = "add_other"
    #: Only ``other`` has a person: add ``into`` to it.
    ADD_INTO = "add_into"
    #: Both have persons: move everything of ``other``'s person into ``into``'s and delete it.
    MERGE = "merge"
    #: Refused: an illegal id, or ``other``'s person is identified and the merge is not dangerous.
    REFUSED = "refused"


def merge_outcome(
    other_id: str, into_id: str, other: Person | None, into: Person | None, *, dangerous: bool, illegal: bool
) -> MergeOutcome:
    """The outcome of merging ``other_id`` into ``into_id``."""
    if other_id == into_id:
        return MergeOutcome.NOTHING
    if illegal:
        return MergeOutcome.REFUSED
    if other is None and into is None:
        return MergeOutcome.CREATE
    if other is None:
        return MergeOutcome.ADD_OTHER
    if into is None:
        return MergeOutcome.ADD_INTO
    if other.id == into.id:
        return MergeOutcome.NOTHING
    if other.is_identified and not dangerous:
        return MergeOutcome.REFUSED
    return MergeOutcome.MERGE


def merged_properties(other: Person, into: Person) -> dict[str, object]:
    """``{...other, ...into}``: the person merged into wins on shared keys."""
    return {**other.properties, **into.properties}
