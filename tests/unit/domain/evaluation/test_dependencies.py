"""The dependency planner (spec §7): stages, cycles, missing and transitive closure."""

from __future__ import annotations

from flagcore.domain.evaluation.dependencies import make_resolver, plan_dependencies, rewrite_flag_filters


def _direct(**deps: str) -> dict[str, frozenset[str]]:
    return {key: frozenset(value.split()) for key, value in deps.items()}


def test_stages_put_every_dependency_in_an_earlier_stage() -> None:
    plan = plan_dependencies(_direct(d="b c", b="a", c="a", a="", e=""), missing=())
    assert plan.stages == (("a", "e"), ("b", "c"), ("d",))
    assert plan.transitive["d"] == {"a", "b", "c"}
    assert (plan.broken, plan.has_cycles) == (frozenset(), False)


def test_cycles_and_their_dependents_are_broken_and_left_out_of_stages() -> None:
    plan = plan_dependencies(_direct(a="b", b="a", c="a", d=""), missing=())
    assert plan.broken == {"a", "b", "c"}
    assert plan.stages == (("d",),)
    assert plan.has_cycles is True
    assert plan.transitive["c"] == {"a", "b"}


def test_missing_dependency_breaks_transitive_dependents_only() -> None:
    plan = plan_dependencies(_direct(a="", b="a", c="b", d="a"), missing={"b"})
    assert plan.broken == {"b", "c"}
    assert plan.stages == (("a",), ("d",))


def test_resolver_reads_ids_in_stored_form_and_keys_in_feed_form() -> None:
    resolve = make_resolver({"alpha", "12"}, {7: "alpha", 12: "12"})
    assert resolve({"key": "7", "type": "flag"}) == "alpha"
    assert resolve({"key": 7, "type": "flag"}) == "alpha"
    assert resolve({"key": "alpha", "type": "flag"}) == "alpha"
    assert resolve({"key": "alpha", "type": "flag", "dependency_chain": ["alpha"]}) == "alpha"
    assert resolve({"key": "7", "type": "flag", "dependency_chain": []}) is None
    assert resolve({"key": "8", "type": "flag"}) is None
    assert resolve({"key": True, "type": "flag"}) is None


def test_rewrite_names_dependencies_by_key_and_keeps_other_filters() -> None:
    resolve = make_resolver({"alpha"}, {7: "alpha"})
    person = {"key": "plan", "value": "pro"}
    rewritten, deps, missing = rewrite_flag_filters([person, {"key": "7", "type": "flag", "value": True}], resolve)
    assert rewritten == [person, {"key": "alpha", "type": "flag", "value": True}]
    assert (deps, missing) == ({"alpha"}, False)
    _, _, missing = rewrite_flag_filters([{"key": "9", "type": "flag", "value": True}], resolve)
    assert missing is True
