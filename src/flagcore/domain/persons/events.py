"""What an accepted event means for persons and groups: the plan ingestion carries out (spec §1.6).

Capture turns each event into an :class:`IngestEvent`; :func:`plan_event` says which person and group writes it
asks for, without reading anything. The ingestion use case applies the plan against the stores.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from flagcore.domain.persons.properties import PropertyOps, event_ops

#: Events that never touch persons.
_NO_PERSON_EVENTS: Final = frozenset({"$exception", "$$heatmap", "$performance_event"})
_ILLEGAL_CASE_INSENSITIVE: Final = frozenset(
    {
        "anonymous",
        "guest",
        "distinctid",
        "distinct_id",
        "id",
        "not_authenticated",
        "email",
        "undefined",
        "true",
        "false",
    }
)
_ILLEGAL_CASE_SENSITIVE: Final = frozenset({"[object Object]", "NaN", "None", "none", "null", "0", "undefined"})


class IngestEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An accepted event, as ingestion needs it (the token is already resolved to ``project_id``)."""

    project_id: int
    event: str
    distinct_id: str
    properties: dict[str, Any] = msgspec.field(default_factory=dict)
    set: Any = None
    set_once: Any = None
    timestamp: str | None = None


class Merge(msgspec.Struct, frozen=True, kw_only=True):
    """Merge the person of ``other`` into the person of ``into`` (``dangerous``: even an identified one)."""

    other: str
    into: str
    dangerous: bool = False


class GroupUpdate(msgspec.Struct, frozen=True, kw_only=True):
    group_type: str
    group_key: str
    properties: dict[str, Any]


class FlagCalled(msgspec.Struct, frozen=True, kw_only=True):
    flag_key: str


class EventPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The writes one event asks for; ``person_ops is None`` means the person is not touched."""

    distinct_id: str
    person_ops: PropertyOps | None = None
    merge: Merge | None = None
    group: GroupUpdate | None = None
    flag_called: FlagCalled | None = None


def is_illegal_distinct_id(distinct_id: str) -> bool:
    """Ids PostHog refuses to merge (bare or quoted): ``anonymous``, ``null``, ``[object Object]``, blank, ..."""
    bare = distinct_id.strip()
    for candidate in (bare, bare.strip("'"), bare.strip('"')):
        if not candidate.strip() or candidate.lower() in _ILLEGAL_CASE_INSENSITIVE:
            return True
        if candidate in _ILLEGAL_CASE_SENSITIVE:
            return True
    return False


def plan_event(event: IngestEvent) -> EventPlan:
    """What ``event`` asks ingestion to write."""
    props = event.properties
    flag_called = _flag_called(event)
    if event.event in _NO_PERSON_EVENTS:
        return EventPlan(distinct_id=event.distinct_id, flag_called=flag_called)
    if event.event == "$groupidentify":
        return EventPlan(distinct_id=event.distinct_id, group=_group_update(props))
    if props.get("$process_person_profile") is False:  # personless: no person writes at all
        return EventPlan(distinct_id=event.distinct_id, flag_called=flag_called)
    return EventPlan(
        distinct_id=event.distinct_id,
        person_ops=event_ops(props, event.set, event.set_once),
        merge=_merge(event),
        flag_called=flag_called,
    )


def _merge(event: IngestEvent) -> Merge | None:
    props = event.properties
    other: Any = None
    if event.event == "$identify":
        other = props.get("$anon_distinct_id")
    elif event.event in {"$create_alias", "$merge_dangerously"}:
        other = props.get("alias")
    if other is None or other == "":
        return None
    return Merge(other=str(other), into=event.distinct_id, dangerous=event.event == "$merge_dangerously")


def _group_update(props: dict[str, Any]) -> GroupUpdate | None:
    group_type, key = props.get("$group_type"), props.get("$group_key")
    if not isinstance(group_type, str) or not group_type.strip() or key is None or key == "":
        return None
    group_set = props.get("$group_set")
    return GroupUpdate(
        group_type=group_type.strip(),
        group_key=str(key),
        properties=dict(group_set) if isinstance(group_set, dict) else {},
    )


def _flag_called(event: IngestEvent) -> FlagCalled | None:
    if event.event != "$feature_flag_called":
        return None
    key = event.properties.get("$feature_flag")
    return FlagCalled(flag_key=key) if isinstance(key, str) and key else None
