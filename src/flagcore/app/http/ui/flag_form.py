"""The flag editor's form: what a flag looks like as form fields, and form fields back into a flag write.

The form sends flat fields (``g0.rollout``, ``g0.p1.operator``, ``v2.key``...). They become the same ``FlagChanges``
the API's JSON becomes, so ``CreateFlag``/``UpdateFlag`` apply exactly the API's rules; what the form cannot read
(a payload that is not JSON, a malformed number) is reported on its field before any use case runs.
Parts of the stored filters the form does not show (holdout, super groups) are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import msgspec

from flagcore.domain.flags import FeatureFlag
from flagcore.domain.flags.values import OPERATORS

#: Empty rows offered below the filled ones (a saved form offers new empty rows again).
EXTRA_GROUPS: Final = 1
EXTRA_PROPERTIES: Final = 2
EXTRA_VARIANTS: Final = 2
OPERATOR_CHOICES: Final = tuple(sorted(OPERATORS))
PROPERTY_TYPES: Final = ("person", "cohort", "group", "flag")
RUNTIMES: Final = ("all", "server", "client")
MAX_ROWS: Final = 100  # rows read per list: a bound on what a crafted form can make the server loop over


class PropertyRow(msgspec.Struct, kw_only=True):
    type: str = "person"
    key: str = ""
    operator: str = "exact"
    value: str = ""
    group_type_index: str = ""


class GroupRow(msgspec.Struct, kw_only=True):
    rollout: str = ""
    variant: str = ""
    properties: list[PropertyRow] = msgspec.field(default_factory=list)


class VariantRow(msgspec.Struct, kw_only=True):
    key: str = ""
    name: str = ""
    rollout: str = ""
    payload: str = ""


class FlagForm(msgspec.Struct, kw_only=True):
    key: str = ""
    name: str = ""
    active: bool = True
    continuity: bool = False
    runtime: str = "all"
    tags: str = ""
    evaluation_tags: str = ""
    aggregation: str = ""
    payload_true: str = ""
    version: str = ""
    groups: list[GroupRow] = msgspec.field(default_factory=list)
    variants: list[VariantRow] = msgspec.field(default_factory=list)

    def padded(self) -> FlagForm:
        """The form with empty rows to fill in (one more condition set, more properties and variants)."""
        groups = [
            GroupRow(rollout=g.rollout, variant=g.variant, properties=[*g.properties, *_blank_properties()])
            for g in self.groups
        ]
        groups += [GroupRow(properties=_blank_properties()) for _ in range(EXTRA_GROUPS)]
        variants = [*self.variants] + [VariantRow() for _ in range(EXTRA_VARIANTS)]
        return msgspec.structs.replace(self, groups=groups, variants=variants)


def _blank_properties() -> list[PropertyRow]:
    return [PropertyRow() for _ in range(EXTRA_PROPERTIES)]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def form_of(flag: FeatureFlag) -> FlagForm:
    """The stored flag as the editor shows it."""
    filters = flag.filters
    variants = filters.multivariate.variants if filters.multivariate else []
    return FlagForm(
        key=flag.key,
        name=flag.name,
        active=flag.active,
        continuity=flag.ensure_experience_continuity,
        runtime=flag.evaluation_runtime,
        tags=", ".join(flag.tags),
        evaluation_tags=", ".join(flag.evaluation_tags),
        aggregation=_number(filters.aggregation_group_type_index),
        payload_true=filters.payloads.get("true", ""),
        version=str(flag.version),
        groups=[
            GroupRow(
                rollout=_number(g.rollout_percentage if g.rollout_percentage is not None else 100),
                variant=g.variant or "",
                properties=[
                    PropertyRow(
                        type=p.type,
                        key=p.key,
                        operator=p.operator or "exact",
                        value=_text(p.value),
                        group_type_index=_number(p.group_type_index),
                    )
                    for p in g.properties
                ],
            )
            for g in filters.groups
        ],
        variants=[
            VariantRow(
                key=v.key,
                name=v.name or "",
                rollout=_number(v.rollout_percentage),
                payload=filters.payloads.get(v.key, ""),
            )
            for v in variants
        ],
    )


def read_form(fields: Mapping[str, Any]) -> FlagForm:
    """The submitted form as typed (nothing interpreted yet, so that it can be shown again as it was)."""

    def get(name: str) -> str:
        value = fields.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    groups = []
    for i in range(MAX_ROWS):
        if f"g{i}.rollout" not in fields:
            break
        if get(f"g{i}.remove"):
            continue
        props = []
        for j in range(MAX_ROWS):
            if f"g{i}.p{j}.key" not in fields:
                break
            prefix = f"g{i}.p{j}."
            row = PropertyRow(
                type=get(prefix + "type") or "person",
                key=get(prefix + "key"),
                operator=get(prefix + "operator") or "exact",
                value=get(prefix + "value"),
                group_type_index=get(prefix + "gti"),
            )
            if row.key or (row.type == "cohort" and row.value):  # a cohort is named by its id, in Value
                props.append(row)
        group = GroupRow(rollout=get(f"g{i}.rollout"), variant=get(f"g{i}.variant"), properties=props)
        if group.rollout or group.properties:
            groups.append(group)
    variants = []
    for k in range(MAX_ROWS):
        if f"v{k}.key" not in fields:
            break
        variant = VariantRow(
            key=get(f"v{k}.key"), name=get(f"v{k}.name"), rollout=get(f"v{k}.rollout"), payload=get(f"v{k}.payload")
        )
        if variant.key or variant.rollout or variant.payload:
            variants.append(variant)
    return FlagForm(
        key=get("key"),
        name=get("name"),
        active=bool(get("active")),
        continuity=bool(get("continuity")),
        runtime=get("runtime") or "all",
        tags=get("tags"),
        evaluation_tags=get("evaluation_tags"),
        aggregation=get("aggregation"),
        payload_true=get("payload_true"),
        version=get("version"),
        groups=groups,
        variants=variants,
    )
