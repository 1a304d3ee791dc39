"""The ``UserRepo`` contract, run against every adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import User
from flagcore.ports.identity import UserRepo
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID

T0 = datetime(2026, 2, 1, 8, 30, 0, 654321, tzinfo=UTC)


async def _create(user_repo: UserRepo, email: str, n: int = 1) -> User:
    return await user_repo.create(
        uuid=f"0195f0d4-2222-7000-8000-00000000000{n}",
        email=email,
        first_name="Ada",
        distinct_id=f"d-{n}",
        created_at=T0,
    )


async def test_create_assigns_fresh_ids_with_defaults(user_repo: UserRepo) -> None:
    ada = await _create(user_repo, "Ada@Example.com")
    bob = await _create(user_repo, "bob@example.com", n=2)
    assert ada.id != bob.id
    assert ada == User(
        id=ada.id,
        uuid="0195f0d4-2222-7000-8000-000000000001",
        email="Ada@Example.com",
        first_name="Ada",
        last_name="",
        distinct_id="d-1",
        current_project_id=None,
        created_at=T0,
    )
    stored = await user_repo.get(ada.id)
    assert stored == ada
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_get_unknown_is_none(user_repo: UserRepo) -> None:
    user = await _create(user_repo, "ada@example.com")
    assert await user_repo.get(user.id + 1000) is None


async def test_get_by_email_ignores_case_and_keeps_stored_spelling(user_repo: UserRepo) -> None:
    ada = await _create(user_repo, "Ada@Example.com")
    assert await user_repo.get_by_email("ada@example.COM") == ada
    assert await user_repo.get_by_email("ada@example.org") is None


async def test_create_with_email_taken_in_other_case_raises(user_repo: UserRepo) -> None:
    await _create(user_repo, "ada@example.com")
    with pytest.raises(InvalidInputError) as caught:
        await _create(user_repo, "ADA@example.com", n=2)
    assert (caught.value.attr, caught.value.code) == ("email", "unique")
    stored = await user_repo.get_by_email("ada@example.com")
    assert stored is not None
    assert stored.email == "ada@example.com"


async def test_set_current_project(user_repo: UserRepo) -> None:
    ada = await _create(user_repo, "ada@example.com")
    bob = await _create(user_repo, "bob@example.com", n=2)
    await user_repo.set_current_project(ada.id, PROJECT_ID)
    await user_repo.set_current_project(ada.id, OTHER_PROJECT_ID)
    stored = await user_repo.get(ada.id)
    assert stored is not None
    assert stored.current_project_id == OTHER_PROJECT_ID
    assert await user_repo.get(bob.id) == bob


async def test_set_current_project_of_unknown_user_is_ignored(user_repo: UserRepo) -> None:
    ada = await _create(user_repo, "ada@example.com")
    await user_repo.set_current_project(ada.id + 1000, PROJECT_ID)
    assert await user_repo.get(ada.id + 1000) is None
    assert await user_repo.get(ada.id) == ada
