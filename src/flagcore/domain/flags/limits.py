"""Bounds on what one flag, and one project, may hold (docs/limits.md lists each with its message).

Every flag is part of its project's definitions feed and evaluation snapshot, which are rebuilt on every write and
held in memory by every instance and server SDK: one unbounded flag makes every write and poll of the project slow.
PostHog bounds the same things: its later schema caps a flag's filters at 512 KB and a project at 2,000 flags, and
its rule format allows 100 rules of 100 predicates and 20 variants; flagcore uses those numbers.

The checks only count and measure, so they run before the rules that walk the filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags.errors import InvalidFiltersError
from flagcore.domain.flags.model import Filters
from flagcore.domain.json_limits import MAX_JSON_DEPTH, exceeds_json_depth

#: Characters in a flag's ``name`` (its description). PostHog's column is unbounded text.
MAX_NAME_LENGTH: Final = 10_000
#: Tags on one flag, and characters in one tag (PostHog's tag name column holds 255).
MAX_TAGS: Final = 100
MAX_TAG_LENGTH: Final = 255
#: Condition sets (``groups``, and ``super_groups``) of one flag; PostHog's rule format allows 100 rules.
MAX_CONDITION_GROUPS: Final = 100
#: Property filters in one condition set; PostHog's rule format allows 100 predicates per rule.
MAX_GROUP_PROPERTIES: Final = 100
#: Variants of a multivariate flag, as in PostHog's rule format.
MAX_VARIANTS: Final = 20
#: UTF-8 bytes of one payload as stored (JSON text): half the filters cap, so conditions keep room beside it.
MAX_PAYLOAD_BYTES: Final = 256 * 1024
#: UTF-8 bytes of a flag's filters encoded as compact JSON (PostHog's ``MAX_FEATURE_FLAG_FILTER_SIZE_BYTES``).
MAX_FILTERS_BYTES: Final = 512 * 1024
#: Live (not soft-deleted) flags in one project (PostHog's ``MAX_FEATURE_FLAGS_PER_TEAM``).
MAX_FLAGS_PER_PROJECT: Final = 2_000


def check_name(name: str) -> None:
    """Raises InvalidInputError (``max_length``, attr ``name``) for a name over ``MAX_NAME_LENGTH`` characters."""
    if len(name) > MAX_NAME_LENGTH:
        raise _too_long(MAX_NAME_LENGTH, "name")


def check_tags(tags: Sequence[str], *, attr: str) -> None:
    """Raises InvalidInputError (``max_length``, attr ``attr``) for too many tags or a tag that is too long."""
    if len(tags) > MAX_TAGS:
        raise InvalidInputError(
            f"Ensure this field has no more than {MAX_TAGS} elements.", code="max_length", attr=attr
        )
    if any(len(tag.strip()) > MAX_TAG_LENGTH for tag in tags):
        raise _too_long(MAX_TAG_LENGTH, attr)


def check_payload(text: str) -> str:
    """Check one payload's JSON text against the size and nesting caps before it is decoded; returns ``text``.

    Raises:
        InvalidFiltersError: over ``MAX_PAYLOAD_BYTES`` or nested deeper than ``MAX_JSON_DEPTH``.
    """
    size = len(text.encode())
    if size > MAX_PAYLOAD_BYTES:
        msg = f"Payload values can be at most {_kb(MAX_PAYLOAD_BYTES)}. Current size: {_kb(size)}."
        raise InvalidFiltersError(msg)
    if exceeds_json_depth(text):
        raise InvalidFiltersError(f"Payload value is nested deeper than {MAX_JSON_DEPTH} levels.")
    return text


def check_filter_limits(filters: Filters) -> None:
    """Check the counts and the encoded size of ``filters``.

    Raises:
        InvalidFiltersError: too many condition sets, properties in one, or variants, or filters over
            ``MAX_FILTERS_BYTES``.
    """
    for groups in (filters.groups, filters.super_groups or ()):
        if len(groups) > MAX_CONDITION_GROUPS:
            raise InvalidFiltersError(f"Feature flags can have at most {MAX_CONDITION_GROUPS} condition sets.")
        if any(len(group.properties) > MAX_GROUP_PROPERTIES for group in groups):
            raise InvalidFiltersError(f"A condition set can have at most {MAX_GROUP_PROPERTIES} properties.")
    if filters.multivariate is not None and len(filters.multivariate.variants) > MAX_VARIANTS:
        raise InvalidFiltersError(
            f"Invalid variant definitions: Multivariate flags can have at most {MAX_VARIANTS} variants."
        )
    size = len(msgspec.json.encode(filters))
    if size > MAX_FILTERS_BYTES:
        raise InvalidFiltersError(
            f"Feature flag filters exceed maximum size of {_kb(MAX_FILTERS_BYTES)}. Current size: {_kb(size)}. "
            "Please simplify conditions or reduce payload sizes."
        )


def check_flag_count(count: int) -> None:
    """Raises InvalidInputError when a project already holding ``count`` live flags may not get another."""
    if count >= MAX_FLAGS_PER_PROJECT:
        raise InvalidInputError(
            f"Maximum of {MAX_FLAGS_PER_PROJECT:,} feature flags allowed per project. Please delete unused flags."
        )


def _too_long(limit: int, attr: str) -> InvalidInputError:
    return InvalidInputError(f"Ensure this field has no more than {limit} characters.", code="max_length", attr=attr)


def _kb(size: int) -> str:
    return f"{size // 1024} KB" if size % 1024 == 0 else f"{size / 1024:.1f} KB"
