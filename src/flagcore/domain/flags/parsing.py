"""Turning request JSON into ``Filters``: payload normalisation, PATCH merging and typed decoding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from flagcore.domain.flags.errors import InvalidFiltersError
from flagcore.domain.flags.model import Filters
from flagcore.domain.flags.validation import normalize_payloads


def parse_filters(raw: object) -> Filters:
    """Decode request ``filters`` JSON into ``Filters``.

    Payload values are normalised to JSON strings first (PostHog accepts objects and stores strings).

    Raises:
        InvalidFiltersError: not an object, a wrong type or shape (the message names the path), or bad payloads.
    """
    if not isinstance(raw, Mapping):
        raise InvalidFiltersError("Filters must be an object.")
    data: dict[str, Any] = dict(raw)
    if data.get("payloads") is not None:
        data["payloads"] = normalize_payloads(data["payloads"])
    else:
        data.pop("payloads", None)
    try:
        return msgspec.convert(data, Filters)
    except msgspec.ValidationError as exc:
        raise InvalidFiltersError(_describe(exc)) from None


def merge_filters(stored: Filters, patch: object) -> Filters:
    """Apply a PATCH's ``filters`` key by key over the stored filters (``{}`` changes nothing).

    Raises:
        InvalidFiltersError: as ``parse_filters``.
    """
    if not isinstance(patch, Mapping):
        raise InvalidFiltersError("Filters must be an object.")
    merged: dict[str, Any] = msgspec.to_builtins(stored)
    merged.update(patch)
    return parse_filters(merged)


def _describe(exc: msgspec.ValidationError) -> str:
    # msgspec says "Expected `int`, got `str` - at `$.groups[0].rollout_percentage`"; PostHog's later schema puts
    # the path first: "groups[0].rollout_percentage: ...".
    message = str(exc)
    detail, sep, path = message.partition(" - at `$")
    if not sep:
        return message
    return f"{path.rstrip('`').lstrip('.')}: {detail}"


def filters_as_served(filters: Filters) -> dict[str, Any]:
    """``filters`` as JSON the way PostHog serves them, to API clients and SDKs alike.

    ``groups``, ``multivariate`` and ``payloads`` are always present, and so is every property's ``type`` (the
    structs omit defaults when encoding; clients read these keys back).
    """
    out: dict[str, Any] = msgspec.to_builtins(filters)
    out.setdefault("groups", [])
    for group in [*out["groups"], *(out.get("super_groups") or [])]:
        for prop in group.setdefault("properties", []):
            prop.setdefault("type", "person")
    out.setdefault("multivariate", None)
    out.setdefault("payloads", {})
    return out
