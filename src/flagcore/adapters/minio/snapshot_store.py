"""``SnapshotStore`` in an S3 bucket: the durable tier that survives a Redis flush and serves when Redis is down.

Objects sit at the same paths as the Redis keys (``cache/teams/{project_id}/feature_flags/flags.json`` …). The
ETag, the generation stamp and the expiry travel as object metadata, written in the same PUT as the bytes, so a
``HEAD`` (``stat_object``) answers an ETag-only read. S3 cannot refuse a stale put atomically, so it only stamps:
the tiered cache reads the current generation from Redis and an object stamped otherwise counts as absent.
S3 has no per-object TTL; the expiry stamp makes one (bucket lifecycle rules may delete the objects as well).

The SDK is blocking: every call runs in a worker thread so the event loop keeps serving.
"""

from __future__ import annotations

import functools
import io
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import anyio.to_thread
import urllib3
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import MinioException, S3Error

from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.domain.snapshots.keys import snapshot_key
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.snapshot_store import SnapshotStore

T = TypeVar("T")

_ETAG: Final = "x-amz-meta-flagcore-etag"
_GENERATION: Final = "x-amz-meta-flagcore-generation"
_EXPIRES: Final = "x-amz-meta-flagcore-expires"
_MISSING: Final = frozenset({"NoSuchKey", "NoSuchObject"})
_ERRORS: Final = (MinioException, urllib3.exceptions.HTTPError, OSError, ValueError)


class MinioSnapshotStore(SnapshotStore):
    """Over a ``Minio`` client (owned by the composition root; give it short timeouts and few retries).

    Args:
        client: the client.
        bucket: the bucket (created by :meth:`ensure_bucket` if missing).
        ttl_s: lifetime of a stored snapshot.
        key_prefix: prepended to every object name.
        clock: wall-clock seconds (expiry is stored as an absolute time, shared by every instance).
    """

    def __init__(
        self,
        client: Minio,
        *,
        bucket: str,
        ttl_s: float,
        key_prefix: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._ttl_s = ttl_s
        self._prefix = key_prefix
        self._clock = clock

    async def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet (idempotent; safe when several instances start at once)."""
        await self._call(self._ensure_bucket)

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        found = await self._call(functools.partial(self._read, self._name(project_id, kind)))
        if found is None:
            return None
        body, metadata = found
        etag = self._valid_etag(metadata, generation)
        return None if etag is None else EncodedSnapshot(body=body, etag=etag)

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        metadata = await self._call(functools.partial(self._stat, self._name(project_id, kind)))
        return None if metadata is None else self._valid_etag(metadata, generation)

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        metadata = {
            _ETAG: snapshot.etag,
            _GENERATION: generation or "",
            _EXPIRES: f"{self._clock() + self._ttl_s:.3f}",
        }
        write = functools.partial(self._write, self._name(project_id, kind), snapshot.body, metadata)
        await self._call(write)
        return True

    async def generation(self, project_id: int) -> str | None:
        del project_id  # S3 cannot compare-and-set: it only stamps what it stores
        return None

    async def invalidate(self, project_id: int) -> None:
        names = [self._name(project_id, kind) for kind in SnapshotKind]
        await self._call(functools.partial(self._remove, names))

    def _name(self, project_id: int, kind: SnapshotKind) -> str:
        return snapshot_key(self._prefix, project_id, kind)

    def _valid_etag(self, metadata: Mapping[str, str], generation: str | None) -> str | None:
        etag = metadata.get(_ETAG)
        try:
            expires = float(metadata.get(_EXPIRES, "0"))
        except ValueError:
            expires = 0.0
        if not etag or expires <= self._clock():
            return None
        if generation is not None and metadata.get(_GENERATION) != generation:
            return None
        return etag

    async def _call(self, blocking: Callable[[], T]) -> T:
        try:
            return await anyio.to_thread.run_sync(blocking)
        except _ERRORS as exc:
            raise BackendUnavailableError("The S3 snapshot store is unavailable.") from exc

    # The methods below run in a worker thread.

    def _ensure_bucket(self) -> None:
        if self._client.bucket_exists(self._bucket):
            return
        try:
            self._client.make_bucket(self._bucket)
        except S3Error as exc:
            if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise

    def _read(self, name: str) -> tuple[bytes, Mapping[str, str]] | None:
        try:
            response = self._client.get_object(self._bucket, name)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise
        try:
            return response.read(), _lower(response.headers)
        finally:
            response.close()
            response.release_conn()

    def _stat(self, name: str) -> Mapping[str, str] | None:
        try:
            stat = self._client.stat_object(self._bucket, name)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise
        return _lower(stat.metadata or {})

    def _write(self, name: str, body: bytes, metadata: dict[str, str]) -> None:
        try:
            self._put_object(name, body, metadata)
        except S3Error as exc:
            if exc.code != "NoSuchBucket":
                raise
            # S3 was down when the app started, so the bucket could not be created then.
            self._ensure_bucket()
            self._put_object(name, body, metadata)

    def _put_object(self, name: str, body: bytes, metadata: dict[str, str]) -> None:
        self._client.put_object(
            self._bucket, name, io.BytesIO(body), len(body), content_type="application/json", metadata=dict(metadata)
        )

    def _remove(self, names: list[str]) -> None:
        # remove_objects is lazy: the request is only sent while its errors are iterated.
        errors = list(self._client.remove_objects(self._bucket, [DeleteObject(name) for name in names]))
        if errors:
            raise BackendUnavailableError(f"S3 refused to delete snapshots: {errors[0]}")


def _lower(headers: Mapping[str, Any]) -> dict[str, str]:
    return {str(key).lower(): str(value) for key, value in headers.items()}
