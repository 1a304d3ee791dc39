"""The flags every FlagEvaluator adapter is checked against, and what the server's rules say they evaluate to.

The flags are management-API bodies, so the HTTP side creates them through the API of a second flagcore and the
in-process side through the ``CreateFlag`` use case: both stores get the same definitions by the same rules.
Expectations come from the evaluation spec (bucketing formula of section 2.1, reasons of section 3), not from the
engine under test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from flagcore.ports.flag_evaluator import EvaluatedFlag

#: Created in this order; ``"{key}"`` in a flag dependency is replaced by the id the store gave that flag.
FLAGS: Final[tuple[dict[str, Any], ...]] = (
    {"key": "always", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}},
    {"key": "never", "filters": {"groups": [{"properties": [], "rollout_percentage": 0}]}},
    {"key": "half", "filters": {"groups": [{"properties": [], "rollout_percentage": 50}]}},
    {
        "key": "multivariate",
        "filters": {
            "groups": [{"properties": [], "rollout_percentage": 100}],
            "multivariate": {
                "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]
            },
        },
    },
    {
        "key": "pinned",
        "filters": {
            "groups": [{"properties": [], "rollout_percentage": 100, "variant": "test"}],
            "multivariate": {
                "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]
            },
        },
    },
    {
        "key": "second-condition",
        "filters": {
            "groups": [
                {"properties": [{"key": "email", "type": "person", "value": "a@b.c", "operator": "exact"}]},
                {"properties": [], "rollout_percentage": 100},
            ]
        },
    },
    {
        "key": "no-match",
        "filters": {
            "groups": [{"properties": [{"key": "plan", "type": "person", "value": "pro", "operator": "exact"}]}]
        },
    },
    {
        "key": "depends-on-always",
        "filters": {
            "groups": [
                {
                    "properties": [{"key": "{always}", "type": "flag", "operator": "flag_evaluates_to", "value": True}],
                    "rollout_percentage": 100,
                }
            ]
        },
    },
    # Every runtime is evaluated: a management client is no SDK, so a client-only flag must still be reported.
    {
        "key": "client-only",
        "evaluation_runtime": "client",
        "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]},
    },
    {
        "key": "continuity",
        "ensure_experience_continuity": True,
        "filters": {"groups": [{"properties": [], "rollout_percentage": 50}]},
    },
    # A soft-deleted cohort: a flag may still name it (PostHog refuses only ids that never existed), but it
    # evaluates as missing: the flag fails and the other flags are unaffected.
    {
        "key": "missing-cohort",
        "filters": {
            "groups": [
                {
                    "properties": [{"key": "id", "type": "cohort", "value": "{cohort:deleted}"}],
                    "rollout_percentage": 100,
                }
            ]
        },
    },
    {"key": "inactive", "active": False, "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}},
    {"key": "deleted", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}},
)
#: Flags soft-deleted once created.
DELETED: Final = ("deleted",)


def resolve(body: dict[str, Any], ids: Mapping[str, int]) -> dict[str, Any]:
    """``body`` with every ``"{key}"`` string replaced by the id of flag ``key``."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return str(ids[value[1:-1]])
        return value

    return walk(body)  # type: ignore[no-any-return]


async def seed(
    create: Callable[[dict[str, Any]], Awaitable[int]],
    delete: Callable[[int], Awaitable[None]],
    deleted_cohort: Callable[[], Awaitable[int]],
) -> dict[str, int]:
    """Create the catalogue with ``create`` (body -> id), then soft-delete with ``delete``; the ids by key.

    ``deleted_cohort`` creates a cohort and soft-deletes it (its id is ``{cohort:deleted}`` in the bodies).
    """
    ids: dict[str, int] = {"cohort:deleted": await deleted_cohort()}
    for body in FLAGS:
        ids[body["key"]] = await create(resolve(body, ids))
    for key in DELETED:
        await delete(ids[key])
    return ids


def hash01(flag_key: str, identifier: str, salt: str = "") -> float:
    digest = hashlib.sha1(f"{flag_key}.{identifier}{salt}".encode()).hexdigest()  # noqa: S324 - bucketing
    return int(digest[:15], 16) / float(0xFFFFFFFFFFFFFFF)


def half_rollout(flag_key: str, identifier: str) -> EvaluatedFlag:
    """The result of a flag with one 50% condition for whoever is bucketed on ``identifier``."""
    inside = hash01(flag_key, identifier) <= 0.5
    return EvaluatedFlag(
        enabled=inside, reason="condition_match" if inside else "out_of_rollout_bound", condition_index=0
    )


def expected(distinct_id: str) -> dict[str, EvaluatedFlag]:
    """What the server's rules give ``distinct_id`` with no stored hash key (inactive and deleted flags omitted)."""
    match = EvaluatedFlag(enabled=True, reason="condition_match", condition_index=0)
    variant = "control" if hash01("multivariate", distinct_id, "variant") < 0.5 else "test"
    return {
        "always": match,
        "never": EvaluatedFlag(enabled=False, reason="out_of_rollout_bound", condition_index=0),
        "half": half_rollout("half", distinct_id),
        "multivariate": EvaluatedFlag(enabled=True, variant=variant, reason="condition_match", condition_index=0),
        "pinned": EvaluatedFlag(enabled=True, variant="test", reason="condition_match", condition_index=0),
        "second-condition": EvaluatedFlag(enabled=True, reason="condition_match", condition_index=1),
        "no-match": EvaluatedFlag(enabled=False, reason="no_condition_match", condition_index=0),
        "depends-on-always": match,
        "client-only": match,
        "continuity": half_rollout("continuity", distinct_id),
        "missing-cohort": EvaluatedFlag(enabled=False, reason="dependency_not_found_cohort", failed=True),
    }
