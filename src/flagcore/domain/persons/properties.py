"""Person property operations (``$set``, ``$set_once``, ``$unset``) and the ``$initial_*`` properties (spec §1.6, §2.3).

Pure functions over plain dicts: ingestion applies them to stored persons, and ``/flags`` uses the same
``$initial_*`` rule to fill in first-touch properties the ingestion has not written yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

_APP_AND_DEVICE: Final = (
    "$app_build",
    "$app_name",
    "$app_namespace",
    "$app_version",
    "$browser",
    "$browser_version",
    "$device_type",
    "$os",
    "$os_version",
    "$raw_user_agent",
    "$screen_height",
    "$screen_width",
    "$viewport_height",
    "$viewport_width",
    "$current_url",
    "$pathname",
    "$referring_domain",
    "$referrer",
)
CAMPAIGN_KEYS: Final = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_name",
    "utm_term",
    "gclid",
    "gad_source",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "fbclid",
    "msclkid",
    "twclid",
    "li_fat_id",
    "mc_cid",
    "igshid",
    "ttclid",
    "rdt_cid",
    "irclid",
    "_kx",
    "epik",
    "qclid",
    "sccid",
)
#: Event properties that ingestion copies onto the person (and as ``$initial_*`` once).
EVENT_TO_PERSON: Final = (*_APP_AND_DEVICE, "$os_name", *CAMPAIGN_KEYS)
#: Lifted from server-side SDK events too? Not these: a server's OS is not the person's.
_SERVER_SKIPPED: Final = frozenset({"$os", "$os_version", "$os_name"})
#: The keys ``/flags`` fills in as ``$initial_*`` (the server's list: no ``utm_name``, no ``$os_name``).
_FLAGS_INITIAL: Final = (*_APP_AND_DEVICE, *(k for k in CAMPAIGN_KEYS if k != "utm_name"))


def initial_key(key: str) -> str:
    """``$browser`` -> ``$initial_browser``, ``utm_source`` -> ``$initial_utm_source``."""
    return f"$initial_{key.removeprefix('$')}"


class PropertyOps(msgspec.Struct, frozen=True, kw_only=True):
    """What one event does to its person's properties."""

    set: dict[str, Any] = msgspec.field(default_factory=dict)
    set_once: dict[str, Any] = msgspec.field(default_factory=dict)
    unset: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No operation at all."""
        return not (self.set or self.set_once or self.unset)


def event_ops(properties: Mapping[str, Any], top_set: Any, top_set_once: Any) -> PropertyOps:  # noqa: ANN401 - JSON
    """The property operations of an event (spec §1.6 normalisation).

    Top-level ``$set``/``$set_once`` merge into the properties' ones (top level wins per key), then every
    event-to-person property present on the event is added to ``$set`` (unless set already) and to ``$set_once``
    as its ``$initial_*`` key. Server-side SDK events (``$is_server``) do not lift the OS.
    """
    set_ops = {**_as_dict(properties.get("$set")), **_as_dict(top_set)}
    set_once_ops = {**_as_dict(properties.get("$set_once")), **_as_dict(top_set_once)}
    server = properties.get("$is_server") is True
    for key in EVENT_TO_PERSON:
        if key not in properties or (server and key in _SERVER_SKIPPED):
            continue
        value = properties[key]
        set_ops.setdefault(key, value)
        set_once_ops.setdefault(initial_key(key), value)
    return PropertyOps(set=set_ops, set_once=set_once_ops, unset=_unset_keys(properties.get("$unset")))


def apply_ops(current: Mapping[str, Any], ops: PropertyOps) -> dict[str, Any]:
    """``current`` after ``ops``: ``$set_once`` only for absent keys, then ``$set``, then ``$unset``."""
    updated = dict(current)
    for key, value in ops.set_once.items():
        updated.setdefault(key, value)
    updated.update(ops.set)
    for key in ops.unset:
        updated.pop(key, None)
    return updated


def with_initial_properties(properties: dict[str, Any]) -> dict[str, Any]:
    """Fill in missing ``$initial_*`` keys from their non-initial counterparts (in place; existing ones are kept)."""
    for key in _FLAGS_INITIAL:
        if key in properties:
            properties.setdefault(initial_key(key), properties[key])
    return properties


def _as_dict(value: Any) -> dict[str, Any]:  # noqa: ANN401 - JSON
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _unset_keys(value: Any) -> tuple[str, ...]:  # noqa: ANN401 - JSON
    if isinstance(value, dict):
        return tuple(str(k) for k in value)
    if isinstance(value, list):
        return tuple(str(k) for k in value if isinstance(k, str))
    return ()


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether applying operations changed anything (writes are skipped otherwise)."""
    return dict(before) != dict(after)
