"""The flag editor's form mapping: a stored flag shown as form fields and read back is the same write."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from flagcore.app.http.ui.flag_form import FlagForm, GroupRow, PropertyRow, VariantRow, form_of, read_form
from flagcore.app.http.ui.flag_write import FormError, field_of, to_changes
from flagcore.app.http.ui.history import field_rows
from flagcore.app.http.ui.sign_in import safe_next
from flagcore.app.http.ui.split import rollout_split
from flagcore.domain.activity.model import FieldChange
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.flags.model import Filters

FILTERS = {
    "groups": [
        {
            "properties": [
                {"key": "email", "value": "@acme.com", "operator": "icontains", "type": "person"},
                {"key": "id", "value": 7, "operator": "in", "type": "cohort"},
                {"key": "plan", "value": ["pro", "team"], "operator": "exact", "type": "group", "group_type_index": 0},
                {"key": "12", "value": True, "operator": "flag_evaluates_to", "type": "flag"},
            ],
            "rollout_percentage": 30,
            "variant": "b",
        }
    ],
    "multivariate": {"variants": [{"key": "a", "rollout_percentage": 60}, {"key": "b", "rollout_percentage": 40}]},
    "payloads": {"b": '{"x": 1}'},
    "holdout": {"id": 3, "exclusion_percentage": 10},
}


def _flag() -> FeatureFlag:
    return FeatureFlag(
        id=1,
        project_id=1,
        key="k",
        name="n",
        filters=msgspec.convert(FILTERS, Filters),
        tags=("a", "b"),
        evaluation_tags=("a",),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _fields(form: FlagForm) -> dict[str, str]:
    """The form as a browser would post it (padded rows included, unchecked boxes absent)."""
    padded = form.padded()
    out = {"key": padded.key, "name": padded.name, "runtime": padded.runtime, "tags": padded.tags}
    out |= {"evaluation_tags": padded.evaluation_tags, "aggregation": padded.aggregation, "version": padded.version}
    out |= {"payload_true": padded.payload_true}
    if padded.active:
        out["active"] = "1"
    for i, g in enumerate(padded.groups):
        out |= {f"g{i}.rollout": g.rollout, f"g{i}.variant": g.variant}
        for j, p in enumerate(g.properties):
            base = f"g{i}.p{j}."
            out |= {base + "type": p.type, base + "key": p.key, base + "operator": p.operator}
            out |= {base + "value": p.value, base + "gti": p.group_type_index}
    for k, v in enumerate(padded.variants):
        out |= {f"v{k}.key": v.key, f"v{k}.name": v.name, f"v{k}.rollout": v.rollout, f"v{k}.payload": v.payload}
    return out


def test_a_stored_flag_round_trips_through_the_form() -> None:
    flag = _flag()
    changes = to_changes(read_form(_fields(form_of(flag))), flag)
    # Read back as the domain reads a request's filters: the same targeting, holdout kept though not shown.
    assert msgspec.convert(changes.filters, Filters) == flag.filters
    assert (changes.tags, changes.evaluation_tags, changes.active) == (["a", "b"], ["a"], True)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (FlagForm(groups=[GroupRow(rollout="x")]), "g0.rollout"),
        (FlagForm(groups=[GroupRow(rollout="-1")]), "g0.rollout"),
        (FlagForm(variants=[VariantRow(key="a", rollout="1e999x")]), "v0.rollout"),
        (FlagForm(variants=[VariantRow(key="a", rollout="100", payload="{")]), "v0.payload"),
        (FlagForm(payload_true="nope"), "payload_true"),
        (FlagForm(groups=[GroupRow(properties=[PropertyRow(type="group", key="k")])]), "g0.p0.gti"),
        (FlagForm(aggregation="one"), "aggregation"),
        (FlagForm(runtime="moon"), "runtime"),
    ],
)
def test_what_the_form_cannot_read_is_reported_on_its_field(form: FlagForm, field: str) -> None:
    with pytest.raises(FormError) as raised:
        to_changes(form, None)
    assert field in raised.value.errors


@pytest.mark.parametrize(
    ("attr", "detail", "field"),
    [
        ("key", "x", "key"),
        ("filters", "Invalid variant definitions: Variant rollout percentages must sum to 100.", "variants"),
        ("filters", "Payload keys must be 'true' for boolean flags", "payloads"),
        ("filters", "Filters are not valid (variant override does not exist)", "conditions"),
        (None, "Evaluation tags must be a subset of tags. Invalid evaluation tags: b", "evaluation_tags"),
        ("something_else", "x", "form"),
    ],
)
def test_domain_errors_go_beside_the_field_they_concern(attr: str | None, detail: str, field: str) -> None:
    assert field_of(InvalidInputError(detail, attr=attr)) == field


def test_history_splits_structured_fields_into_changed_leaves() -> None:
    change = FieldChange(
        type="FeatureFlag",
        action="changed",
        field="filters",
        before={"groups": [{"rollout_percentage": 10, "properties": []}]},
        after={"groups": [{"rollout_percentage": 50, "properties": []}], "payloads": {"true": "1"}},
    )
    assert field_rows(change) == [
        ("filters.groups[0].rollout_percentage", "10", "50"),
        ("filters.payloads.true", "—", "1"),
    ]
    assert field_rows(FieldChange(type="FeatureFlag", action="changed", field="active", before=True, after=False)) == [
        ("active", "true", "false")
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/ui/projects/1/flags", "/ui/projects/1/flags"),
        ("https://evil.example/ui/", "/ui/"),
        ("//evil.example/", "/ui/"),
        ("/ui\\\\evil", "/ui/"),
        ("/api/projects/", "/ui/"),
        (None, "/ui/"),
    ],
)
def test_sign_in_only_returns_inside_the_ui(raw: object, expected: str) -> None:
    assert safe_next(raw) == expected


def test_the_split_has_a_segment_per_variant_in_order() -> None:
    segments = rollout_split(FlagForm(variants=[VariantRow(key="a", rollout="25"), VariantRow(key="b", rollout="75")]))
    assert [(s.key, s.x, s.width) for s in segments] == [("a", 0.0, 150.0), ("b", 150.0, 450.0)]
