"""The ``HashKeyOverrideRepo`` contract: insert-if-absent per (project, distinct id, flag), earliest id wins."""

from __future__ import annotations

import asyncio

import pytest

from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID


async def test_nothing_stored_gives_an_empty_mapping(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    assert await hash_key_override_repo.get(PROJECT_ID, ["user-1"]) == {}
    assert await hash_key_override_repo.get(PROJECT_ID, []) == {}


async def test_set_missing_stores_for_every_id(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1", "anon-1"], {"a": "anon-1", "b": "anon-1"})
    assert await hash_key_override_repo.get(PROJECT_ID, ["user-1"]) == {"a": "anon-1", "b": "anon-1"}
    assert await hash_key_override_repo.get(PROJECT_ID, ["anon-1"]) == {"a": "anon-1", "b": "anon-1"}
    assert await hash_key_override_repo.get(PROJECT_ID, ["someone-else"]) == {}


async def test_existing_hash_keys_are_never_overwritten(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1"], {"a": "first"})
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1"], {"a": "second", "b": "second"})
    assert await hash_key_override_repo.get(PROJECT_ID, ["user-1"]) == {"a": "first", "b": "second"}


async def test_earliest_id_wins_when_several_have_the_same_flag(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1"], {"a": "from-user", "only-user": "u"})
    await hash_key_override_repo.set_missing(PROJECT_ID, ["anon-1"], {"a": "from-anon", "only-anon": "x"})
    expected = {"a": "from-user", "only-user": "u", "only-anon": "x"}
    assert await hash_key_override_repo.get(PROJECT_ID, ["user-1", "anon-1"]) == expected
    assert (await hash_key_override_repo.get(PROJECT_ID, ["anon-1", "user-1"]))["a"] == "from-anon"


async def test_projects_are_isolated(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1"], {"a": "mine"})
    assert await hash_key_override_repo.get(OTHER_PROJECT_ID, ["user-1"]) == {}
    await hash_key_override_repo.set_missing(OTHER_PROJECT_ID, ["user-1"], {"a": "theirs"})
    assert await hash_key_override_repo.get(PROJECT_ID, ["user-1"]) == {"a": "mine"}
    assert await hash_key_override_repo.get(OTHER_PROJECT_ID, ["user-1"]) == {"a": "theirs"}


async def test_empty_overrides_and_duplicate_ids_are_harmless(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1"], {})
    assert await hash_key_override_repo.get(PROJECT_ID, ["user-1"]) == {}
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1", "user-1"], {"a": "h"})
    assert await hash_key_override_repo.get(PROJECT_ID, ["user-1", "user-1"]) == {"a": "h"}


@pytest.mark.parametrize(
    "text",
    ["", "ünïcødé ✓ 🚀", "with\x00nul", "back\\slash\\0", "x" * 1000, 'quote\' "double" ; DROP TABLE x'],
    ids=["empty", "unicode", "nul", "backslash", "long", "sql-ish"],
)
async def test_any_string_round_trips(hash_key_override_repo: HashKeyOverrideRepo, text: str) -> None:
    await hash_key_override_repo.set_missing(PROJECT_ID, [text], {text: text, "plain": text})
    assert await hash_key_override_repo.get(PROJECT_ID, [text]) == {text: text, "plain": text}


async def test_many_flags_in_one_call(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    overrides = {f"flag-{index}": f"hash-{index}" for index in range(500)}
    await hash_key_override_repo.set_missing(PROJECT_ID, ["user-1", "anon-1"], overrides)
    assert await hash_key_override_repo.get(PROJECT_ID, ["anon-1"]) == overrides


async def test_concurrent_writers_first_wins_and_none_fails(hash_key_override_repo: HashKeyOverrideRepo) -> None:
    writers = [
        hash_key_override_repo.set_missing(PROJECT_ID, ["user-1", "anon-1"], {"a": f"hash-{index}"})
        for index in range(8)
    ]
    await asyncio.gather(*writers)
    stored = await hash_key_override_repo.get(PROJECT_ID, ["user-1"])
    assert set(stored) == {"a"}
    assert stored["a"] in {f"hash-{index}" for index in range(8)}
    # One writer won for both ids (each call writes all of its rows in one transaction, or none).
    assert await hash_key_override_repo.get(PROJECT_ID, ["anon-1"]) == stored
