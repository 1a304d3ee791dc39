"""Random flag definitions and subjects for the differential test and the benchmark.

The generator stays inside the behaviour where PostHog's server and its Python SDK agree, except for the
divergences of spec §12 that :mod:`tests.differential.test_posthog_oracle` excludes by name (the SDK answers most
of them with "inconclusive", which the comparison skips).
"""

from __future__ import annotations

import random
from typing import Any

GROUP_TYPES = {"0": "company", "1": "team"}
PLANS = ["free", "pro", "Enterprise", "PRO"]
COUNTRIES = ["FR", "US", "de", "Brazil", ""]


def _person_filter(rng: random.Random) -> dict[str, Any]:
    choice = rng.randrange(9)
    if choice == 0:
        return _prop("plan", rng.choice(["exact", "is_not"]), rng.choice([*PLANS, ["free", "pro"]]))
    if choice == 1:
        return _prop("email", rng.choice(["icontains", "not_icontains"]), rng.choice(["@acme", "EXAMPLE", "x"]))
    if choice == 2:
        return _prop("email", rng.choice(["regex", "not_regex"]), rng.choice([r"^a.*@acme\.com$", r"[0-9]", "^$"]))
    if choice == 3:
        return _prop("age", rng.choice(["gt", "gte", "lt", "lte"]), rng.choice([18, 30, "40", 65.5]))
    if choice == 4:
        return _prop("beta", "exact", rng.choice([True, False, "true", ["true"]]))
    if choice == 5:
        return _prop("country", rng.choice(["is_set", "is_not_set"]), "is_set")
    if choice == 6:
        operator = rng.choice(["semver_gt", "semver_lte", "semver_eq", "semver_tilde", "semver_caret"])
        return _prop("app_version", operator, rng.choice(["1.2.3", "2.0.0", "1.10.0", "0.3.1"]))
    if choice == 7:
        operator = rng.choice(["is_date_before", "is_date_after"])
        return _prop("signed_up", operator, rng.choice(["2024-01-01", "2024-06-30T12:00:00Z", "2023-12-31"]))
    return _prop("country", rng.choice(["exact", "is_not"]), rng.choice(COUNTRIES))


def _prop(key: str, operator: str, value: Any, kind: str = "person") -> dict[str, Any]:
    return {"key": key, "type": kind, "operator": operator, "value": value}


def _group_filter(rng: random.Random, index: int) -> dict[str, Any]:
    if index == 0:
        prop = _prop(
            "tier", rng.choice(["exact", "is_not"]), rng.choice(["gold", "silver", ["gold", "platinum"]]), "group"
        )
    else:
        prop = _prop("size", rng.choice(["gt", "lt"]), rng.choice([10, 100]), "group")
    return {**prop, "group_type_index": index}


def random_cohorts(rng: random.Random) -> dict[str, Any]:
    """Three dynamic cohorts with nested AND/OR groups and negated filters."""
    cohorts: dict[str, Any] = {}
    for cohort_id in ("11", "12", "13"):
        inner = [
            {"type": rng.choice(["AND", "OR"]), "values": [_negated(rng) for _ in range(rng.randint(1, 3))]}
            for _ in range(rng.randint(1, 2))
        ]
        cohorts[cohort_id] = {"type": rng.choice(["AND", "OR"]), "values": inner}
    return cohorts


def _negated(rng: random.Random) -> dict[str, Any]:
    return {**_person_filter(rng), "negation": rng.random() < 0.3}


def _rollout(rng: random.Random) -> float | None:
    return rng.choice([None, 0, 10, 33.34, 50, 100, round(rng.uniform(0, 100), 2)])


def _variants(rng: random.Random) -> list[dict[str, Any]]:
    count = rng.randint(2, 4)
    weights = [100 // count] * count
    weights[-1] += 100 - sum(weights)
    if rng.random() < 0.2:
        weights[-1] -= 10
    return [{"key": f"v{i}", "rollout_percentage": weight} for i, weight in enumerate(weights)]


def _condition(rng: random.Random, aggregation: int | None, dependencies: list[dict[str, Any]]) -> dict[str, Any]:
    properties: list[dict[str, Any]] = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        if aggregation is not None:
            properties.append(_group_filter(rng, aggregation))
        elif rng.random() < 0.15:
            properties.append(
                {
                    "key": "id",
                    "type": "cohort",
                    "value": rng.choice([11, 12, 13]),
                    "operator": rng.choice(["in", "not_in"]),
                }
            )
        else:
            properties.append(_person_filter(rng))
    if dependencies and aggregation is None and rng.random() < 0.5:
        properties.append(rng.choice(dependencies))
    return {"properties": properties, "rollout_percentage": _rollout(rng)}


def random_flag(
    rng: random.Random, index: int, earlier: list[dict[str, Any]], chains: dict[str, list[str]]
) -> dict[str, Any]:
    """One random flag; it may depend on earlier person flags (feed form, with a correct dependency chain)."""
    key = f"flag-{index}"
    aggregation = rng.choice([0, 1]) if rng.random() < 0.15 else None
    filters: dict[str, Any] = {"aggregation_group_type_index": aggregation, "payloads": {"true": f'{{"flag":{index}}}'}}
    if rng.random() < 0.35:
        filters["multivariate"] = {"variants": _variants(rng)}
        filters["payloads"] |= {
            variant["key"]: f'"{variant["key"]}-{index}"' for variant in filters["multivariate"]["variants"]
        }
    dependencies = [_dependency(rng, flag, chains) for flag in earlier if _person_only(flag)]
    filters["groups"] = [_condition(rng, aggregation, dependencies) for _ in range(rng.randint(1, 3))]
    if aggregation is None and rng.random() < 0.2:
        group_index = rng.choice([0, 1])
        filters["groups"].append({**_condition(rng, group_index, []), "aggregation_group_type_index": group_index})
    if "multivariate" in filters and rng.random() < 0.3:
        filters["groups"][0]["variant"] = rng.choice([*(v["key"] for v in filters["multivariate"]["variants"]), "nope"])
    if rng.random() < 0.1:
        filters["holdout"] = {"id": rng.randint(1, 9), "exclusion_percentage": rng.choice([0, 10, 50, 100])}
    filters["early_exit"] = rng.random() < 0.1
    own = sorted(
        {key for dep in filters["groups"] for prop in dep["properties"] for key in prop.get("dependency_chain", [])}
    )
    chains[key] = [*_ordered(own, chains), key]
    return {"id": index + 1, "key": key, "active": rng.random() > 0.08, "version": 1, "filters": filters}


def _person_only(flag: dict[str, Any]) -> bool:
    # The SDK evaluates dependencies without the request's groups, so only person-only flags are dependency targets.
    filters = flag["filters"]
    return filters["aggregation_group_type_index"] is None and all(
        condition.get("aggregation_group_type_index") is None for condition in filters["groups"]
    )


def _dependency(rng: random.Random, target: dict[str, Any], chains: dict[str, list[str]]) -> dict[str, Any]:
    variants = (target["filters"].get("multivariate") or {}).get("variants") or []
    value = rng.choice([True, False, *(v["key"] for v in variants)])
    return {
        "key": target["key"],
        "type": "flag",
        "operator": "flag_evaluates_to",
        "value": value,
        "dependency_chain": chains[target["key"]],
    }


def _ordered(keys: list[str], chains: dict[str, list[str]]) -> list[str]:
    ordered: list[str] = []
    for key in keys:
        for member in chains[key]:
            if member not in ordered:
                ordered.append(member)
    return ordered


def random_definitions(rng: random.Random, flag_count: int) -> dict[str, Any]:
    """A definitions document in the local-evaluation feed shape."""
    flags: list[dict[str, Any]] = []
    chains: dict[str, list[str]] = {}
    for index in range(flag_count):
        flags.append(random_flag(rng, index, flags[-8:], chains))
    return {"flags": flags, "group_type_mapping": dict(GROUP_TYPES), "cohorts": random_cohorts(rng)}


def random_subject(rng: random.Random, index: int, *, complete: bool = False) -> dict[str, Any]:
    """A subject; each property is absent at random unless ``complete`` (absent ones make the SDK inconclusive)."""
    candidates: dict[str, Any] = {
        "plan": rng.choice(PLANS),
        "email": rng.choice([f"a{index}@acme.com", f"user{index}@example.com", None]),
        "age": rng.choice([rng.randint(0, 90), str(rng.randint(0, 90)), 65.5]),
        "beta": rng.choice([True, False, "true", "FALSE", None]),
        "country": rng.choice(COUNTRIES),
        "app_version": rng.choice(["1.2.3", "1.2.4", "2.0.0", "0.3.5", "1.10.2"]),
        "signed_up": rng.choice(["2023-06-01T00:00:00Z", "2024-03-15T08:30:00Z", "2024-12-24T23:59:59Z"]),
    }
    person = {key: value for key, value in candidates.items() if complete or rng.random() < 0.85}
    groups: dict[str, Any] = {}
    group_properties: dict[str, Any] = {}
    if rng.random() < 0.7:
        groups["company"] = rng.choice([f"org-{rng.randint(0, 50)}", rng.randint(1, 500)])
        group_properties["company"] = {"tier": rng.choice(["gold", "silver", "GOLD", "platinum"])}
    if rng.random() < 0.5:
        groups["team"] = f"team-{rng.randint(0, 20)}"
        group_properties["team"] = {"size": rng.choice([5, 50, 500])}
    return {
        "distinct_id": f"user-{index}-{rng.randrange(10**6)}",
        "person_properties": person,
        "groups": groups,
        "group_properties": group_properties,
    }
