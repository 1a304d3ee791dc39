"""Flags for the contract suites (``FlagRepo``, ``UnitOfWork``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

import msgspec

from flagcore.domain.flags import (
    ConditionGroup,
    FeatureFlag,
    Filters,
    Holdout,
    Multivariate,
    NewFlag,
    PropertyFilter,
    Variant,
)
from flagcore.testing.contracts.ids import PROJECT_ID

#: Microseconds on purpose: they must survive every backend.
T0: Final = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)

MULTIVARIATE: Final = Filters(
    groups=[ConditionGroup(rollout_percentage=100)],
    multivariate=Multivariate(
        variants=[Variant(key="control", rollout_percentage=50), Variant(key="test", rollout_percentage=50)]
    ),
)


def new_flag(key: str, **overrides: Any) -> NewFlag:
    fields: dict[str, Any] = {
        "project_id": PROJECT_ID,
        "key": key,
        "name": "",
        "filters": Filters(groups=[ConditionGroup(rollout_percentage=100)]),
        "active": True,
        "ensure_experience_continuity": False,
        "evaluation_runtime": "all",
        "bucketing_identifier": "distinct_id",
        "is_remote_configuration": False,
        "has_encrypted_payloads": False,
        "tags": (),
        "evaluation_tags": (),
        "created_at": T0,
        "created_by_id": None,
    }
    return NewFlag(**(fields | overrides))


def edited(flag: FeatureFlag, *, seconds: int = 60, **changes: Any) -> FeatureFlag:
    """``flag`` as a use case would hand it to ``update``: changed fields and a fresh ``updated_at``."""
    return msgspec.structs.replace(flag, updated_at=T0 + timedelta(seconds=seconds), **changes)


def depends_on(*flag_ids: int) -> Filters:
    return Filters(
        groups=[
            ConditionGroup(
                properties=[
                    PropertyFilter(key=str(flag_id), type="flag", value=True, operator="flag_evaluates_to")
                    for flag_id in flag_ids
                ],
                rollout_percentage=100,
            )
        ]
    )


#: Every corner of the filters document: nested groups, tri-state aggregation, variants, payloads, holdout.
#: Percentages are floats, as decoding JSON makes them.
RICH_FILTERS: Final = Filters(
    groups=[
        ConditionGroup(
            properties=[
                PropertyFilter(key="email", value=["a@x.com", "b@x.com"], operator="exact"),
                PropertyFilter(key="age", value=42.5, operator="gt", negation=True),
                PropertyFilter(key="plan", value=None, operator="is_set", label="Plan"),
                PropertyFilter(key="5", type="cohort", value=5, cohort_name="Beta"),
                PropertyFilter(key="company", type="group", value="acme", operator="icontains", group_type_index=1),
            ],
            rollout_percentage=33.3,
            variant="test",
            description="first",
            sort_key="a",
        ),
        ConditionGroup(rollout_percentage=None, aggregation_group_type_index=None),
        ConditionGroup(rollout_percentage=0.0, aggregation_group_type_index=2),
    ],
    multivariate=Multivariate(
        variants=[
            Variant(key="control", name="Control", rollout_percentage=25.0),
            Variant(key="test.v2/x", rollout_percentage=75.0),
        ]
    ),
    aggregation_group_type_index=None,
    payloads={"control": '{"color": "blue", "n": [1, 2]}', "true": '"plain"'},
    holdout=Holdout(id=7, exclusion_percentage=10.0),
    super_groups=[ConditionGroup(properties=[PropertyFilter(key="$feature_enrollment/x", value=["true"])])],
    feature_enrollment=True,
    early_exit=False,
)
