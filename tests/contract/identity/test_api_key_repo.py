"""The ``ApiKeyRepo`` contract, run against every adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flagcore.domain.identity import PersonalApiKey
from flagcore.ports.identity import ApiKeyRepo
from tests.contract.seed import OTHER_USER_ID, USER_ID

T0 = datetime(2026, 2, 1, 8, 30, 0, 654321, tzinfo=UTC)


def _key(key_id: str, *, user_id: int = USER_ID, created_at: datetime = T0) -> PersonalApiKey:
    return PersonalApiKey(
        id=key_id,
        user_id=user_id,
        label=f"key {key_id}",
        secure_value=f"sha256${key_id}",
        mask_value="phx_...wxyz",
        scopes=("feature_flag:write", "project:read"),
        created_at=created_at,
    )


async def test_added_key_is_found_by_secure_value(api_key_repo: ApiKeyRepo) -> None:
    key = _key("k1")
    await api_key_repo.add(key)
    await api_key_repo.add(_key("k2"))
    stored = await api_key_repo.get_by_secure_value("sha256$k1")
    assert stored == key
    assert stored.scopes == ("feature_flag:write", "project:read")
    assert stored.last_used_at is None


async def test_unknown_secure_value_is_none(api_key_repo: ApiKeyRepo) -> None:
    await api_key_repo.add(_key("k1"))
    assert await api_key_repo.get_by_secure_value("sha256$nope") is None
    assert await api_key_repo.get_by_secure_value("SHA256$K1") is None


async def test_mark_used_records_time(api_key_repo: ApiKeyRepo) -> None:
    await api_key_repo.add(_key("k1"))
    await api_key_repo.add(_key("k2"))
    when = T0 + timedelta(hours=3, microseconds=7)
    await api_key_repo.mark_used("k1", when)
    used = await api_key_repo.get_by_secure_value("sha256$k1")
    assert used is not None
    assert used.last_used_at == when
    assert used.last_used_at.utcoffset() == timedelta(0)
    assert await api_key_repo.get_by_secure_value("sha256$k2") == _key("k2")


async def test_mark_used_of_unknown_key_is_ignored(api_key_repo: ApiKeyRepo) -> None:
    await api_key_repo.add(_key("k1"))
    await api_key_repo.mark_used("nope", T0)
    assert await api_key_repo.list_for_user(USER_ID) == [_key("k1")]


async def test_list_for_user_is_oldest_first_and_scoped(api_key_repo: ApiKeyRepo) -> None:
    late = _key("a-late", created_at=T0 + timedelta(seconds=1))
    tie_b = _key("b-tie")
    tie_a = _key("a-tie")
    await api_key_repo.add(late)
    await api_key_repo.add(tie_b)
    await api_key_repo.add(_key("theirs", user_id=OTHER_USER_ID))
    await api_key_repo.add(tie_a)
    assert await api_key_repo.list_for_user(USER_ID) == [tie_a, tie_b, late]
    assert await api_key_repo.list_for_user(OTHER_USER_ID + 1000) == []
