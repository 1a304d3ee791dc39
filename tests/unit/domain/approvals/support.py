from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from flagcore.domain.approvals import ApprovalPolicy, ApproverConfig, ChangeRequest, Vote
from flagcore.domain.flags import FeatureFlag, parse_filters

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ORG = "org-1"


def flag(*, active: bool = True, deleted: bool = False, **filters: Any) -> FeatureFlag:
    return FeatureFlag(
        id=1, project_id=1, key="f", active=active, deleted=deleted, filters=parse_filters(filters), created_at=NOW
    )


def rollout(*percentages: float | None) -> dict[str, Any]:
    return {"groups": [{"properties": [], "rollout_percentage": p} for p in percentages]}


def policy(action_key: str = "feature_flag.enable", **fields: Any) -> ApprovalPolicy:
    defaults: dict[str, Any] = {
        "id": f"p-{action_key}-{fields.get('project_id')}",
        "organization_id": ORG,
        "project_id": 1,
        "action_key": action_key,
        "approver_config": ApproverConfig(quorum=1, users=(2,)),
        "created_at": NOW,
        "updated_at": NOW,
    }
    return ApprovalPolicy(**{**defaults, **fields})


def request(**fields: Any) -> ChangeRequest:
    defaults: dict[str, Any] = {
        "id": "cr-1",
        "organization_id": ORG,
        "project_id": 1,
        "action_key": "feature_flag.enable",
        "resource_id": "1",
        "intent": {"preconditions": {"version": 1}},
        "policy_snapshot": {"quorum": 2, "users": [2, 3, 4], "roles": [], "allow_self_approve": False},
        "created_by_id": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "expires_at": NOW + timedelta(days=14),
    }
    return ChangeRequest(**{**defaults, **fields})


def ballot(user_id: int, decision: str = "approved") -> Vote:
    return msgspec.convert(
        {"id": f"v{user_id}", "user_id": user_id, "decision": decision, "created_at": NOW}, Vote, strict=False
    )
