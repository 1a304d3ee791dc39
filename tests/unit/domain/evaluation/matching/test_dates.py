"""``is_date_before`` / ``is_date_after`` / ``is_date_exact``: relative and absolute dates, timezones, epochs."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from flagcore.domain.evaluation.matching import MatchInput, PropertyMatchError, compile_properties
from flagcore.domain.evaluation.matching.dates import parse_relative, relative_instant
from tests.unit.domain.evaluation.matching.support import context, load_vectors, matches, matches_value, prop_filter

_REL = load_vectors("relative_date_vectors.json")
_NY = ZoneInfo("America/New_York")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=UTC)


def _ns(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def _cases(now_key: str, results_key: str) -> list[tuple[str, str, str]]:
    return [(_REL[now_key], text, expected) for text, expected in _REL[results_key].items()]


@pytest.mark.parametrize(
    ("now", "text", "expected"), _cases("now_1", "results_from_now_1") + _cases("now_2", "results_from_now_2")
)
def test_relative_date_vectors(now, text, expected):
    relative = parse_relative(text)
    assert relative is not None
    assert relative_instant(relative, _utc(now), UTC) == _ns(_utc(expected))


def test_month_steps_clamp_the_day_each_time():
    example = _REL["month_clamp_example"]
    relative = parse_relative(example["input"])
    assert relative is not None
    now = datetime.fromisoformat(example["now"]).replace(tzinfo=UTC)
    assert relative_instant(relative, now, UTC) == _ns(datetime.fromisoformat(example["result"]).replace(tzinfo=UTC))


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        ("2024-02-29T00:00:00", "1y", "2023-02-28T00:00:00"),
        ("2024-02-29T00:00:00", "4y", "2020-02-28T00:00:00"),  # clamped on the first step, stays clamped
        ("2024-05-31T10:00:00", "3m", "2024-02-29T10:00:00"),
        ("2024-05-31T10:00:00", "15m", "2023-02-28T10:00:00"),
        ("2024-01-31T00:00:00", "9999m", "1190-10-28T00:00:00"),
    ],
)
def test_calendar_steps(now, text, expected):
    relative = parse_relative(text)
    assert relative is not None
    assert relative_instant(relative, _utc(now), UTC) == _ns(_utc(expected))


@pytest.mark.parametrize("text", _REL["invalid_inputs_return_none"])
def test_invalid_relative_inputs(text):
    assert parse_relative(text) is None


@pytest.mark.parametrize("text", _REL["valid_edge_inputs"])
def test_valid_relative_edge_inputs(text):
    assert parse_relative(text) is not None


def test_relative_dates_use_the_team_wall_clock():
    # Across the spring-forward of 2024-03-10 in New York, two days back on the wall clock are 47 hours.
    now = _utc("2024-03-11T12:00:00")
    relative = parse_relative("-2d")
    assert relative is not None
    assert relative_instant(relative, now, _NY) == _ns(_utc("2024-03-09T13:00:00"))
    assert relative_instant(relative, now, UTC) == _ns(_utc("2024-03-09T12:00:00"))


@pytest.mark.parametrize(
    ("operator", "value", "prop", "expected"),
    [
        ("is_date_before", "2024-06-01", "2024-06-01T03:59:59Z", True),  # naive filter = NY midnight = 04:00Z
        ("is_date_before", "2024-06-01", "2024-06-01T04:00:00Z", False),
        ("is_date_exact", "2024-06-01", "2024-06-01T04:00:00Z", True),
        ("is_date_exact", "2024-06-01", "2024-06-01T00:00:00-04:00", True),
        ("is_date_exact", "2024-06-01", "2024-06-01", True),  # naive property: also team timezone
        ("is_date_after", "2024-06-01", "2024-06-01 00:00:01", True),
        ("is_date_exact", "2024-06-01T10:00:00+02:00", "2024-06-01T08:00:00Z", True),
        ("is_date_exact", "2024-06-01T12:30", "2024-06-01T16:30:00Z", True),
        ("is_date_exact", "2024-06-01 12:30:15.5", "2024-06-01T16:30:15.500Z", True),
        ("is_date_exact", "2024-06-01T04:00:00Z", 1717214400, True),  # numbers are Unix seconds
        ("is_date_exact", "2024-06-01T04:00:00Z", "1717214400", True),
        ("is_date_after", "2024-06-01T04:00:00Z", 1717214400.25, True),
        ("is_date_exact", "2024-06-01T04:00:00.25Z", 1717214400.25, True),
        ("is_date_before", "1970-01-01T00:00:01Z", "NaN", True),  # Rust's casts turn NaN into the epoch
        ("is_date_after", "1970-01-01T00:00:00Z", "inf", False),
        ("is_date_exact", "2024-03-10 02:30", "2024-03-10T07:30:00Z", False),  # no such NY wall clock
        ("is_date_exact", "2024-11-03 01:30", "2024-11-03T05:30:00Z", True),  # ambiguous: the earlier one
        ("is_date_after", "2024-06-01", "not a date", False),
        ("is_date_after", "2024-06-01", True, False),
        ("is_date_after", "2024-06-01", None, False),
        ("is_date_after", "2024-06-01", ["2025-01-01"], False),
        ("is_date_after", "garbage", "2025-01-01", False),
        ("is_date_after", 1717214400, "2025-01-01", False),  # the filter value must be a string
        ("is_date_after", "2024-13-01", "2025-01-01", False),
        ("is_date_exact", "Sat, 01 Jun 2024 04:00:00 +0000", "2024-06-01T04:00:00Z", True),
        ("is_date_exact", "1717214400000", "2024-06-01T04:00:00Z", True),  # 13 digits: milliseconds
    ],
)
def test_absolute_dates_in_team_timezone(operator, value, prop, expected):
    assert matches_value(operator, value, prop, ctx=context(_NY)) is expected


@pytest.mark.parametrize(
    ("operator", "value", "prop", "expected"),
    [
        ("is_date_after", "-7d", "2024-06-10T00:00:00Z", True),
        ("is_date_after", "-7d", "2024-06-01T00:00:00Z", False),
        ("is_date_before", "-1y", "2023-06-15T11:59:59Z", True),
        ("is_date_before", "-1y", "2023-06-15T12:00:00Z", False),
        ("is_date_exact", "-2h", "2024-06-15T10:00:00Z", True),
        ("is_date_before", "-2h", "-1d", True),  # property strings may be relative too
        ("is_date_after", "10000d", "2024-06-10T00:00:00Z", False),  # too large: neither relative nor absolute
    ],
)
def test_relative_filters_are_anchored_at_evaluation_time(operator, value, prop, expected):
    assert matches_value(operator, value, prop) is expected


def test_relative_filter_follows_each_evaluation_instant():
    pred = compile_properties([prop_filter("is_date_after", "-1d")], context(), aggregation=None)
    props = {"k": "2024-06-15T00:00:00Z"}
    assert pred(MatchInput(props, now=_utc("2024-06-15T12:00:00"))) is True
    assert pred(MatchInput(props, now=_utc("2024-06-17T12:00:00"))) is False
    assert pred(MatchInput(props, now=_utc("2024-06-15T12:00:00"))) is True


def test_relative_filter_without_now_is_an_error():
    pred = compile_properties([prop_filter("is_date_after", "-1d")], context(), aggregation=None)
    with pytest.raises(PropertyMatchError):
        pred(MatchInput({"k": "2024-06-15"}))


@pytest.mark.parametrize("operator", ["is_date_before", "is_date_after", "is_date_exact"])
def test_missing_key_and_null_filter_are_false(operator):
    assert matches(operator, "2024-06-01", {}) is False
    assert matches_value(operator, None, "2024-06-01") is False
