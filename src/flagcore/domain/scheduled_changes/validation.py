"""The rules a scheduled change's fields must follow on create and update, with PostHog's messages.

Every broken rule raises ``InvalidScheduledChangeError`` naming the field (``attr``), as PostHog's serializer
returns field errors; rules about the object as a whole have no ``attr``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, TypeVar, overload

import msgspec

from flagcore.domain.scheduled_changes.cron import parse_cron
from flagcore.domain.scheduled_changes.errors import InvalidScheduledChangeError
from flagcore.domain.scheduled_changes.model import (
    MAX_RECORD_ID,
    MODEL_NAMES,
    NewScheduledChange,
    Operation,
    RecurrenceInterval,
    ScheduledChange,
)
from flagcore.domain.scheduled_changes.operations import check_variants, parse_payload
from flagcore.domain.scheduled_changes.recurrence import zone_of

_T = TypeVar("_T")
UNSET = msgspec.UNSET
Unset = msgspec.UnsetType

IMMUTABLE: Final = "Cannot modify a scheduled change that has already executed."
RECORD_FIXED: Final = "Cannot change the target record of an existing scheduled change."
MODEL_FIXED: Final = "Cannot change the model of an existing scheduled change."
BOTH_RECURRENCES: Final = "Cannot set both cron_expression and recurrence_interval. Use one or the other."
RECURRENCE_NEEDED: Final = "Either recurrence_interval or cron_expression is required when is_recurring is true."
RECURRING_CONDITION: Final = (
    "Recurring schedules are not supported for add_release_condition because it appends conditions on each run, "
    "creating duplicates."
)
RECURRENCE_WITHOUT_RECURRING: Final = (
    "recurrence_interval and cron_expression can only be set when is_recurring is true."
)
END_BEFORE_START: Final = "End date must be after the scheduled start date."
#: Longest ``cron_expression`` (the column's size; a 5-field expression is far shorter).
MAX_CRON: Final = 100
#: The accepted range of ``scheduled_at`` / ``end_date``: wide enough for any plan, and far enough from
#: ``datetime.min`` / ``datetime.max`` that converting to any time zone and stepping a recurrence cannot overflow
#: (which would fail the request or the worker).
EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(9000, 1, 1, tzinfo=UTC)
OUT_OF_RANGE: Final = "Ensure this date is between 1970 and the year 9000."
CRON_NEVER: Final = "Invalid cron expression. It never matches a date."


class ScheduleFields(msgspec.Struct, frozen=True, kw_only=True):
    """The writable fields a request sent; ``UNSET`` leaves a field as stored (or at its default on create)."""

    record_id: str | int | Unset = UNSET
    model_name: str | Unset = UNSET
    payload: dict[str, Any] | Unset = UNSET
    scheduled_at: datetime | Unset = UNSET
    is_recurring: bool | Unset = UNSET
    recurrence_interval: RecurrenceInterval | None | Unset = UNSET
    cron_expression: str | None | Unset = UNSET
    end_date: datetime | None | Unset = UNSET


class _Timing(msgspec.Struct, frozen=True, kw_only=True):
    payload: dict[str, Any]
    scheduled_at: datetime
    is_recurring: bool
    recurrence_interval: RecurrenceInterval | None
    cron_expression: str | None
    end_date: datetime | None
    timezone: str | None


def new_change(
    fields: ScheduleFields, *, project_id: int, user_id: int | None, timezone: str, now: datetime
) -> NewScheduledChange:
    """A change to create from the request's fields (``timezone``: the project's, captured now).

    Raises:
        InvalidScheduledChangeError: a missing field or a broken rule.
    """
    if isinstance(fields.record_id, Unset):
        raise InvalidScheduledChangeError("This field is required.", code="required", attr="record_id")
    record_id = fields.record_id
    model_name = _model_name(_required(fields.model_name, "model_name"))
    timing = _Timing(
        payload=_required(fields.payload, "payload"),
        scheduled_at=_aware(_required(fields.scheduled_at, "scheduled_at")),
        is_recurring=_or(fields.is_recurring, default=False),
        recurrence_interval=_or(fields.recurrence_interval, default=None),
        cron_expression=_or(fields.cron_expression, default=None),
        end_date=_aware(_or(fields.end_date, default=None)),
        timezone=timezone,
    )
    if not timing.is_recurring and (timing.recurrence_interval is not None or timing.cron_expression is not None):
        # Only on create: on update, not recurring with a recurrence kept is a paused schedule.
        raise InvalidScheduledChangeError(RECURRENCE_WITHOUT_RECURRING, attr="is_recurring")
    _check(timing)
    return NewScheduledChange(
        project_id=project_id,
        record_id=_record_id(record_id),
        model_name=model_name,
        created_at=now,
        created_by_id=user_id,
        **msgspec.structs.asdict(timing),
    )


def updated_change(current: ScheduledChange, fields: ScheduleFields, *, now: datetime) -> ScheduledChange:
    """``current`` with the request's fields applied, checked; its failures are forgotten (a fresh try).

    Raises:
        InvalidScheduledChangeError: the change already ran, its target changes, or a broken rule.
    """
    if current.executed_at is not None:
        raise InvalidScheduledChangeError(IMMUTABLE)
    if not isinstance(fields.record_id, Unset) and _record_id(fields.record_id) != current.record_id:
        raise InvalidScheduledChangeError(RECORD_FIXED, attr="record_id")
    if not isinstance(fields.model_name, Unset) and fields.model_name != current.model_name:
        raise InvalidScheduledChangeError(MODEL_FIXED, attr="model_name")
    timing = _Timing(
        payload=_or(fields.payload, default=current.payload),
        scheduled_at=_aware(_or(fields.scheduled_at, default=current.scheduled_at)),
        is_recurring=_or(fields.is_recurring, default=current.is_recurring),
        recurrence_interval=_or(fields.recurrence_interval, default=current.recurrence_interval),
        cron_expression=_or(fields.cron_expression, default=current.cron_expression),
        end_date=_aware(_or(fields.end_date, default=current.end_date)),
        timezone=current.timezone,
    )
    _check(timing)
    return msgspec.structs.replace(
        current,
        **msgspec.structs.asdict(timing),
        updated_at=now,
        failure_count=0,
        failure_reason=None,
        retry_after=None,
    )


def _check(timing: _Timing) -> None:
    for attr, moment in (("scheduled_at", timing.scheduled_at), ("end_date", timing.end_date)):
        if moment is not None and not _in_range(moment):
            raise InvalidScheduledChangeError(OUT_OF_RANGE, code="invalid", attr=attr)
    operation, value = parse_payload(timing.payload)
    if operation is Operation.UPDATE_VARIANTS:
        check_variants(value)
    if timing.cron_expression is not None and timing.recurrence_interval is not None:
        raise InvalidScheduledChangeError(BOTH_RECURRENCES, attr="cron_expression")
    if timing.cron_expression is not None:
        if len(timing.cron_expression) > MAX_CRON:
            raise InvalidScheduledChangeError(
                f"Ensure this field has no more than {MAX_CRON} characters.", code="max_length", attr="cron_expression"
            )
        cron = parse_cron(timing.cron_expression)
        if cron.next_after(timing.scheduled_at, zone_of(timing.timezone)) is None:
            raise InvalidScheduledChangeError(CRON_NEVER, attr="cron_expression")
    if timing.is_recurring:
        if timing.cron_expression is None and timing.recurrence_interval is None:
            raise InvalidScheduledChangeError(RECURRENCE_NEEDED, attr="recurrence_interval")
        if operation is Operation.ADD_RELEASE_CONDITION:
            raise InvalidScheduledChangeError(RECURRING_CONDITION, attr="is_recurring")
    if timing.end_date is not None and timing.end_date <= timing.scheduled_at:
        raise InvalidScheduledChangeError(END_BEFORE_START, attr="end_date")


def _in_range(moment: datetime) -> bool:
    try:
        utc = moment.astimezone(UTC)  # 0001-01-01 at +14:00 is before the first representable UTC instant
    except (OverflowError, ValueError):
        return False
    return EARLIEST <= utc < LATEST


def _required(value: _T | Unset, attr: str) -> _T:
    if isinstance(value, Unset):
        raise InvalidScheduledChangeError("This field is required.", code="required", attr=attr)
    return value


def _or(value: _T | Unset, *, default: _T) -> _T:
    return default if isinstance(value, Unset) else value


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: datetime | None) -> datetime | None:
    # A time without an offset is UTC (PostHog reads it in the server's time zone, which is UTC).
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _model_name(name: str) -> str:
    if name not in MODEL_NAMES:
        raise InvalidScheduledChangeError(f'"{name}" is not a valid choice.', code="invalid_choice", attr="model_name")
    return name


def _record_id(record_id: str | int) -> str:
    text = str(record_id)
    if len(text) > MAX_RECORD_ID:
        raise InvalidScheduledChangeError(
            f"Ensure this field has no more than {MAX_RECORD_ID} characters.", code="max_length", attr="record_id"
        )
    return text
