"""Persons and groups as ingestion writes them and ``/flags`` reads them (persons spec §1.6, §2)."""

from flagcore.domain.persons.events import (
    EventPlan,
    FlagCalled,
    GroupUpdate,
    IngestEvent,
    Merge,
    is_illegal_distinct_id,
    plan_event,
)
from flagcore.domain.persons.merge import MergeOutcome, merge_outcome, merged_properties
from flagcore.domain.persons.model import (
    MAX_DISTINCT_ID_LENGTH,
    Group,
    NewPerson,
    Person,
    PersonNotFoundError,
    person_uuid,
)
from flagcore.domain.persons.properties import (
    PropertyOps,
    apply_ops,
    event_ops,
    initial_key,
    with_initial_properties,
)

__all__ = (
    "MAX_DISTINCT_ID_LENGTH",
    "EventPlan",
    "FlagCalled",
    "Group",
    "GroupUpdate",
    "IngestEvent",
    "Merge",
    "MergeOutcome",
    "NewPerson",
    "Person",
    "PersonNotFoundError",
    "PropertyOps",
    "apply_ops",
    "event_ops",
    "initial_key",
    "is_illegal_distinct_id",
    "merge_outcome",
    "merged_properties",
    "person_uuid",
    "plan_event",
    "with_initial_properties",
)
