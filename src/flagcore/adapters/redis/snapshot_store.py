"""``SnapshotStore`` in Redis: the shared tier every app instance reads before S3 and the database.

Layout (PostHog's HyperCache keys, under an optional prefix):

* ``cache/teams/{project_id}/feature_flags/{flags_with_cohorts.json|flags_without_cohorts.json|flags.json}``: bytes;
* the same key + ``:etag``: the ETag, written in the same script as the bytes, so a 304 reads one small key;
* ``cache/teams/{project_id}/feature_flags:generation``: a random token replaced by every invalidation. A put
  guarded by a token that is no longer current is refused inside the script, so a build that started before a
  write committed cannot land after the writer's invalidation. Random tokens, unlike a counter, cannot repeat
  after Redis loses the key (flush, restart), so entries stamped before the loss elsewhere are never taken as new.

Telling other instances is not this store's job: ``CachedProjectSnapshots`` publishes through the
``InvalidationPublisher`` port after invalidating (see ``invalidations.py`` for the Redis channel).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from typing import Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.domain.snapshots.keys import namespace_key, snapshot_key
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.snapshot_store import SnapshotStore

T = TypeVar("T")

# KEYS: data, etag, generation. ARGV: body, etag, ttl (ms), expected generation ("" = unguarded).
_PUT: Final = """
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[4] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 1
"""
# KEYS: generation. ARGV: a fresh token, used only if the project has none.
_GENERATION: Final = """
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
"""
# KEYS: generation, then every data and etag key. ARGV: the new token.
_INVALIDATE: Final = """
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', unpack(KEYS, 2))
return 1
"""
_ERRORS: Final = (RedisError, OSError, TimeoutError)


def project_keys(key_prefix: str, project_id: int) -> tuple[str, dict[SnapshotKind, str]]:
    """The generation key and the data key of each kind (``:etag`` is appended for the ETag key)."""
    keys = {kind: snapshot_key(key_prefix, project_id, kind) for kind in SnapshotKind}
    return f"{namespace_key(key_prefix, project_id)}:generation", keys


class RedisSnapshotStore(SnapshotStore):
    """Over a ``redis.asyncio`` client opened without ``decode_responses``, with short socket timeouts.

    Args:
        client: the client (owned by the composition root).
        ttl_s: lifetime of a stored snapshot; a backstop, since writes invalidate explicitly.
        key_prefix: prepended to every key (tests use one per test; deployments may share a Redis).
    """

    def __init__(self, client: Redis, *, ttl_s: float, key_prefix: str = "") -> None:
        self._client = client
        self._ttl_ms = max(1, round(ttl_s * 1000))
        self._prefix = key_prefix
        self._put = client.register_script(_PUT)
        self._generation = client.register_script(_GENERATION)
        self._invalidate = client.register_script(_INVALIDATE)

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        generation_key, keys = project_keys(self._prefix, project_id)
        body, etag, current = await self._call(self._client.mget(keys[kind], f"{keys[kind]}:etag", generation_key))
        if body is None or etag is None or (generation is not None and _text(current) != generation):
            return None
        return EncodedSnapshot(body=body if isinstance(body, bytes) else body.encode(), etag=_text(etag))

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        generation_key, keys = project_keys(self._prefix, project_id)
        etag, current = await self._call(self._client.mget(f"{keys[kind]}:etag", generation_key))
        if etag is None or (generation is not None and _text(current) != generation):
            return None
        return _text(etag)

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        generation_key, keys = project_keys(self._prefix, project_id)
        stored = await self._call(
            self._put(
                keys=[keys[kind], f"{keys[kind]}:etag", generation_key],
                args=[snapshot.body, snapshot.etag, self._ttl_ms, generation or ""],
            )
        )
        return bool(stored)

    async def generation(self, project_id: int) -> str | None:
        generation_key, _ = project_keys(self._prefix, project_id)
        return _text(await self._call(self._generation(keys=[generation_key], args=[secrets.token_hex(8)])))

    async def invalidate(self, project_id: int) -> None:
        generation_key, keys = project_keys(self._prefix, project_id)
        data_keys = [key for data in keys.values() for key in (data, f"{data}:etag")]
        await self._call(self._invalidate(keys=[generation_key, *data_keys], args=[secrets.token_hex(8)]))

    async def _call(self, operation: Awaitable[T]) -> T:
        try:
            return await operation
        except _ERRORS as exc:
            raise BackendUnavailableError("The Redis snapshot cache is unavailable.") from exc


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
