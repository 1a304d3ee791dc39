"""The ``FlagRepo.list`` contract (filters, search, order, paging), run against every adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from flagcore.domain.flags import ConditionGroup, FeatureFlag, Filters
from flagcore.ports.flags import FlagOrder, FlagQuery, FlagRepo
from flagcore.testing.contracts.flag_builders import MULTIVARIATE, T0, edited, new_flag
from flagcore.testing.contracts.ids import OTHER_PROJECT_ID, OTHER_USER_ID, PROJECT_ID, USER_ID


async def _keys(flag_repo: FlagRepo, query: FlagQuery) -> list[str]:
    return [flag.key for flag in (await flag_repo.list(PROJECT_ID, query)).items]


async def test_list_skips_deleted_flags_and_other_projects(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("live"))
    gone = await flag_repo.create(new_flag("gone"))
    await flag_repo.soft_delete(PROJECT_ID, gone.id, expected_version=1)
    await flag_repo.create(new_flag("elsewhere", project_id=OTHER_PROJECT_ID))
    page = await flag_repo.list(PROJECT_ID, FlagQuery())
    assert page.count == 1
    assert [f.key for f in page.items] == ["live"]


async def test_list_of_empty_project(flag_repo: FlagRepo) -> None:
    page = await flag_repo.list(PROJECT_ID, FlagQuery())
    assert (page.count, page.items) == (0, [])


async def test_list_filters_on_active(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("on"))
    await flag_repo.create(new_flag("off", active=False))
    assert await _keys(flag_repo, FlagQuery(active=True)) == ["on"]
    assert await _keys(flag_repo, FlagQuery(active=False)) == ["off"]
    assert sorted(await _keys(flag_repo, FlagQuery())) == ["off", "on"]


async def test_list_filters_on_type(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("plain"))
    await flag_repo.create(new_flag("variants", filters=MULTIVARIATE))
    await flag_repo.create(new_flag("config", is_remote_configuration=True))
    assert sorted(await _keys(flag_repo, FlagQuery(type="boolean"))) == ["config", "plain"]
    assert await _keys(flag_repo, FlagQuery(type="multivariant")) == ["variants"]
    assert await _keys(flag_repo, FlagQuery(type="remote_config")) == ["config"]


async def test_list_type_follows_updated_filters(flag_repo: FlagRepo) -> None:
    flag = await flag_repo.create(new_flag("plain"))
    await flag_repo.update(edited(flag, filters=MULTIVARIATE), expected_version=1)
    assert await _keys(flag_repo, FlagQuery(type="boolean")) == []
    assert await _keys(flag_repo, FlagQuery(type="multivariant")) == ["plain"]


async def test_list_filters_on_runtime_and_creator(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("server", evaluation_runtime="server", created_by_id=USER_ID))
    await flag_repo.create(new_flag("client", evaluation_runtime="client", created_by_id=OTHER_USER_ID))
    await flag_repo.create(new_flag("both", evaluation_runtime="all"))
    assert await _keys(flag_repo, FlagQuery(evaluation_runtime="server")) == ["server"]
    assert await _keys(flag_repo, FlagQuery(evaluation_runtime="all")) == ["both"]
    assert await _keys(flag_repo, FlagQuery(created_by_id=OTHER_USER_ID)) == ["client"]
    assert await _keys(flag_repo, FlagQuery(created_by_id=USER_ID, evaluation_runtime="client")) == []


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("PC", ["pct", "pcx"], id="key-case-insensitive"),
        pytest.param("ROLLOUT", ["pct", "pcx"], id="name-case-insensitive"),
        pytest.param("50%", ["pct"], id="percent-is-literal"),
        pytest.param("e_c", ["snake-a"], id="underscore-is-literal"),
        pytest.param("h/t", ["slash"], id="slash-is-literal"),
        pytest.param("\\x", ["backslash"], id="backslash-is-literal"),
        pytest.param("%", ["pct"], id="lone-percent"),
        pytest.param("ÉCLAIR", ["unicode"], id="non-ascii-case-insensitive"),
        pytest.param("nothing-like-it", [], id="no-match"),
    ],
)
async def test_list_search_matches_key_or_name_substring(flag_repo: FlagRepo, search: str, expected: list[str]) -> None:
    for key, name in [
        ("pct", "50% rollout"),
        ("pcx", "50x rollout"),
        ("snake-a", "snake_case"),
        ("snake-b", "snakeXcase"),
        ("slash", "path/to"),
        ("backslash", "C:\\x"),
        ("unicode", "Petit éclair"),
    ]:
        await flag_repo.create(new_flag(key, name=name))
    assert sorted(await _keys(flag_repo, FlagQuery(search=search))) == expected


async def _ordering_fixture(flag_repo: FlagRepo) -> dict[str, FeatureFlag]:
    """Four flags with ties on created_at and name, and two never updated (``updated_at`` null)."""
    b = await flag_repo.create(new_flag("b-flag", name="Zeta", created_at=T0 + timedelta(seconds=1)))
    upper = await flag_repo.create(new_flag("A-flag", name="alpha", created_at=T0 + timedelta(seconds=2)))
    lower = await flag_repo.create(new_flag("a-flag", name="Alpha", created_at=T0 + timedelta(seconds=2)))
    c = await flag_repo.create(new_flag("c_flag", name="alpha", created_at=T0))
    await flag_repo.update(edited(upper, seconds=5), expected_version=1)
    await flag_repo.update(edited(lower, seconds=10), expected_version=1)
    return {"b": b, "A": upper, "a": lower, "c": c}


# Ties fall back to id descending in both directions; ids grow in creation order b, A, a, c.
# Strings compare by code point: upper case before lower case.
@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("created_at", ["c", "b", "a", "A"]),
        ("-created_at", ["a", "A", "b", "c"]),
        ("updated_at", ["c", "b", "A", "a"]),
        ("-updated_at", ["a", "A", "c", "b"]),
        ("key", ["A", "a", "b", "c"]),
        ("-key", ["c", "b", "a", "A"]),
        ("name", ["a", "b", "c", "A"]),
        ("-name", ["c", "A", "b", "a"]),
        ("id", ["b", "A", "a", "c"]),
        ("-id", ["c", "a", "A", "b"]),
    ],
)
async def test_list_order(flag_repo: FlagRepo, order: FlagOrder, expected: list[str]) -> None:
    flags = await _ordering_fixture(flag_repo)
    page = await flag_repo.list(PROJECT_ID, FlagQuery(order=order))
    assert [f.id for f in page.items] == [flags[name].id for name in expected]


async def test_list_default_order_is_newest_first(flag_repo: FlagRepo) -> None:
    flags = await _ordering_fixture(flag_repo)
    page = await flag_repo.list(PROJECT_ID, FlagQuery())
    assert [f.id for f in page.items] == [flags[name].id for name in ["a", "A", "b", "c"]]


async def test_list_pages_with_count_before_paging(flag_repo: FlagRepo) -> None:
    created = [await flag_repo.create(new_flag(f"flag-{n}")) for n in range(7)]
    newest_first = [f.id for f in reversed(created)]
    pages = [await flag_repo.list(PROJECT_ID, FlagQuery(order="-id", limit=3, offset=o)) for o in (0, 3, 6, 9)]
    assert [p.count for p in pages] == [7, 7, 7, 7]
    assert [[f.id for f in p.items] for p in pages] == [newest_first[0:3], newest_first[3:6], newest_first[6:], []]


async def test_list_count_respects_filters(flag_repo: FlagRepo) -> None:
    for n in range(4):
        await flag_repo.create(new_flag(f"on-{n}"))
    await flag_repo.create(new_flag("off", active=False))
    page = await flag_repo.list(PROJECT_ID, FlagQuery(active=True, limit=1))
    assert page.count == 4
    assert len(page.items) == 1


# --- issue 9: stale, tags, evaluation tags, excluded keys, experiments --------------------------------------------

HALF = Filters(groups=[ConditionGroup(rollout_percentage=50)])
PINNED = Filters(
    groups=[ConditionGroup(rollout_percentage=100, variant="test")],
    multivariate=MULTIVARIATE.multivariate,
)


async def test_list_stale_is_active_fully_rolled_out_and_old(flag_repo: FlagRepo) -> None:
    cutoff = T0 + timedelta(days=1)
    await flag_repo.create(new_flag("stale"))  # 100% for everyone, created at T0
    await flag_repo.create(new_flag("no-conditions", filters=Filters()))
    await flag_repo.create(new_flag("pinned-variant", filters=PINNED))
    await flag_repo.create(new_flag("split-variants", filters=MULTIVARIATE))  # 100% but no variant wins
    await flag_repo.create(new_flag("half", filters=HALF))
    await flag_repo.create(new_flag("off", active=False))
    await flag_repo.create(new_flag("young", created_at=cutoff + timedelta(seconds=1)))
    keys = sorted(await _keys(flag_repo, FlagQuery(stale_before=cutoff)))
    assert keys == ["no-conditions", "pinned-variant", "stale"]
    assert (await flag_repo.list(PROJECT_ID, FlagQuery(stale_before=cutoff))).count == 3


async def test_list_stale_follows_updated_filters(flag_repo: FlagRepo) -> None:
    cutoff = T0 + timedelta(days=1)
    flag = await flag_repo.create(new_flag("was-full"))
    await flag_repo.update(edited(flag, filters=HALF), expected_version=1)
    assert await _keys(flag_repo, FlagQuery(stale_before=cutoff)) == []


async def test_list_tags_match_any_of(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("ab", tags=("a", "b")))
    await flag_repo.create(new_flag("b", tags=("b",)))
    await flag_repo.create(new_flag("c", tags=("c",)))
    await flag_repo.create(new_flag("none"))
    assert sorted(await _keys(flag_repo, FlagQuery(tags=("a", "c")))) == ["ab", "c"]
    assert sorted(await _keys(flag_repo, FlagQuery(tags=("b",)))) == ["ab", "b"]
    assert await _keys(flag_repo, FlagQuery(tags=("zzz",))) == []
    assert await _keys(flag_repo, FlagQuery(tags=())) == []
    # A tag is matched whole, never as a substring or a JSON fragment.
    assert await _keys(flag_repo, FlagQuery(tags=('"a"', "a,b"))) == []


async def test_list_has_evaluation_tags(flag_repo: FlagRepo) -> None:
    await flag_repo.create(new_flag("evaluated", tags=("web",), evaluation_tags=("web",)))
    await flag_repo.create(new_flag("tagged-only", tags=("web",)))
    assert await _keys(flag_repo, FlagQuery(has_evaluation_tags=True)) == ["evaluated"]
    assert await _keys(flag_repo, FlagQuery(has_evaluation_tags=False)) == ["tagged-only"]


async def test_list_excludes_keys_and_has_no_experiments(flag_repo: FlagRepo) -> None:
    for key in ("keep", "drop-1", "drop-2"):
        await flag_repo.create(new_flag(key))
    assert await _keys(flag_repo, FlagQuery(excluded_keys=("drop-1", "drop-2", "unknown"))) == ["keep"]
    page = await flag_repo.list(PROJECT_ID, FlagQuery(type="experiment"))
    assert (page.count, page.items) == (0, [])
