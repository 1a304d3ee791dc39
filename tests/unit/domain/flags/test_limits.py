"""Flag size limits (issue 17): each one refuses one past its value, accepts the value itself, and names the field.

Before these limits a 9 MB name, 20,000 condition sets and 100,000 tags were all stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import InvalidFiltersError, parse_filters, validate_filters
from flagcore.domain.flags.limits import (
    MAX_CONDITION_GROUPS,
    MAX_FILTERS_BYTES,
    MAX_FLAGS_PER_PROJECT,
    MAX_GROUP_PROPERTIES,
    MAX_NAME_LENGTH,
    MAX_PAYLOAD_BYTES,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_VARIANTS,
    check_flag_count,
    check_name,
    check_tags,
)
from flagcore.domain.json_limits import MAX_JSON_DEPTH

PROP: dict[str, Any] = {"key": "email", "type": "person", "value": "a@example.com", "operator": "exact"}


def groups(count: int, properties: int = 0) -> list[dict[str, Any]]:
    return [{"properties": [PROP] * properties, "rollout_percentage": 100} for _ in range(count)]


def variants(count: int) -> dict[str, Any]:
    share = 100 / count
    items = [{"key": f"v{i}", "rollout_percentage": share} for i in range(count)]
    items[-1]["rollout_percentage"] = 100 - share * (count - 1)
    return {"variants": items}


def check(filters: dict[str, Any]) -> None:
    validate_filters(parse_filters(filters), is_create=True)


def test_name_at_the_limit_passes_and_one_more_character_fails() -> None:
    check_name("n" * MAX_NAME_LENGTH)
    with pytest.raises(InvalidInputError) as info:
        check_name("n" * (MAX_NAME_LENGTH + 1))
    assert (info.value.code, info.value.attr) == ("max_length", "name")
    assert info.value.detail == f"Ensure this field has no more than {MAX_NAME_LENGTH} characters."


@pytest.mark.parametrize("attr", ["tags", "evaluation_tags"])
def test_tag_count_and_length_are_bounded(attr: str) -> None:
    check_tags(["t"] * MAX_TAGS, attr=attr)
    check_tags(["t" * MAX_TAG_LENGTH], attr=attr)
    with pytest.raises(InvalidInputError) as count:
        check_tags(["t"] * (MAX_TAGS + 1), attr=attr)
    assert (count.value.code, count.value.attr) == ("max_length", attr)
    assert count.value.detail == f"Ensure this field has no more than {MAX_TAGS} elements."
    with pytest.raises(InvalidInputError) as length:
        check_tags(["t" * (MAX_TAG_LENGTH + 1)], attr=attr)
    assert (length.value.code, length.value.attr) == ("max_length", attr)


def test_surrounding_spaces_do_not_count_towards_a_tags_length() -> None:
    check_tags(["  " + "t" * MAX_TAG_LENGTH + "  "], attr="tags")  # stored stripped


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"groups": groups(MAX_CONDITION_GROUPS + 1)}, f"at most {MAX_CONDITION_GROUPS} condition sets"),
        ({"groups": groups(1), "super_groups": groups(MAX_CONDITION_GROUPS + 1)}, "condition sets"),
        ({"groups": groups(1, MAX_GROUP_PROPERTIES + 1)}, f"at most {MAX_GROUP_PROPERTIES} properties"),
        ({"groups": groups(1), "multivariate": variants(MAX_VARIANTS + 1)}, f"at most {MAX_VARIANTS} variants"),
        ({"groups": groups(1), "payloads": {"true": '"' + "x" * MAX_PAYLOAD_BYTES + '"'}}, "Payload values can be"),
        ({"groups": groups(1), "payloads": {"true": {"text": "é" * (MAX_PAYLOAD_BYTES // 2)}}}, "Payload values"),
        ({"groups": groups(1), "payloads": {"true": "[" * 101 + "]" * 101}}, f"deeper than {MAX_JSON_DEPTH}"),
    ],
    ids=["groups", "super-groups", "properties", "variants", "payload-text", "payload-object-utf8", "payload-depth"],
)
def test_filters_over_a_limit_fail_on_filters(filters: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidFiltersError) as info:
        check(filters)
    assert info.value.attr == "filters"
    assert message in info.value.detail


def test_filters_at_every_count_limit_pass() -> None:
    check({"groups": groups(MAX_CONDITION_GROUPS, MAX_GROUP_PROPERTIES // 10)})
    check({"groups": groups(1, MAX_GROUP_PROPERTIES), "multivariate": variants(MAX_VARIANTS)})
    check({"groups": groups(1), "payloads": {"true": '"' + "x" * (MAX_PAYLOAD_BYTES - 2) + '"'}})


def test_total_filter_size_is_capped_with_posthogs_message() -> None:
    # Each payload is under its own cap; together with the conditions they pass the filters cap.
    half = '"' + "x" * (MAX_PAYLOAD_BYTES - 2) + '"'
    filters = {"groups": groups(1), "multivariate": variants(3), "payloads": {"v0": half, "v1": half, "v2": half}}
    with pytest.raises(InvalidFiltersError) as info:
        check(filters)
    assert info.value.detail.startswith(f"Feature flag filters exceed maximum size of {MAX_FILTERS_BYTES // 1024} KB.")
    assert info.value.detail.endswith("Please simplify conditions or reduce payload sizes.")


def test_the_flag_count_limit_counts_live_flags_before_the_create() -> None:
    check_flag_count(MAX_FLAGS_PER_PROJECT - 1)
    with pytest.raises(InvalidInputError) as info:
        check_flag_count(MAX_FLAGS_PER_PROJECT)
    assert info.value.detail.startswith(f"Maximum of {MAX_FLAGS_PER_PROJECT:,} feature flags allowed per project.")
    assert info.value.attr is None
