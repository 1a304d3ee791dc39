"""``EventQueue`` in Redis, shared by every process: events survive a restart, one person's events keep their order.

Events are sharded by (project, distinct id) over :data:`SHARDS` Redis lists. A request's events go in with one
script, all or nothing, while the total stays within the capacity. A process takes only from shards it holds a
lease on (``SET NX PX``, renewed on every take; a process claims free shards up to its fair share), so one shard,
hence one person, is drained by one process at a time, in order. A process that stops releases its leases once its
shards are drained (or at the end of its drain time); one that dies loses them after ``lease_s``, and another
process takes over its shards from where it stopped.

What is taken is removed: a process that dies between a take and its commit loses that batch (at most
``FLAGCORE_INGESTION_BATCH_SIZE`` events); everything still queued survives. A batch slower than ``lease_s`` could
let another process apply that shard's next events first; the lease is 30 s against batches of milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
import zlib
from collections.abc import Sequence
from typing import Final, cast

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from flagcore.domain.persons import IngestEvent
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.event_queue import EventQueue, QueueFullError

SHARDS: Final = 16
_POLL_S: Final = 0.02
#: An idle queue is polled less and less often, up to this: a poll is a lease renewal plus one LPOP per held shard,
#: and at 20 ms that was about 850 Redis commands a second per idle process. The first event after a quiet spell
#: waits at most this long; the poll goes back to 20 ms as soon as one is taken.
_IDLE_POLL_MAX_S: Final = 0.25
_ENCODER: Final = msgspec.msgpack.Encoder()
_DECODER: Final = msgspec.msgpack.Decoder(IngestEvent)

# KEYS: every shard list. ARGV: capacity, then (shard index, event) pairs. All or nothing within the capacity.
_PUT: Final = """
local total = 0
for i = 1, #KEYS do total = total + redis.call('LLEN', KEYS[i]) end
local n = (#ARGV - 1) / 2
if total + n > tonumber(ARGV[1]) then return -1 end
for i = 2, #ARGV, 2 do redis.call('RPUSH', KEYS[tonumber(ARGV[i]) + 1], ARGV[i + 1]) end
return total + n
"""
# KEYS[1]: a lease. ARGV: owner, ttl ms. Claims a free lease or renews an own one; 1 if held after.
_LEASE: Final = """
local owner = redis.call('GET', KEYS[1])
if owner == false or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def shard_of(event: IngestEvent) -> int:
    """The shard of an event's person (stable across processes and restarts)."""
    return zlib.crc32(f"{event.project_id}:{event.distinct_id}".encode("utf-8", "surrogatepass")) % SHARDS


class RedisEventQueue(EventQueue):
    def __init__(
        self, client: Redis, *, capacity: int, key_prefix: str = "", lease_s: float = 30.0, processes: int = 1
    ) -> None:
        self._client = client
        self._capacity = capacity
        self._prefix = f"{key_prefix}flagcore:ingest:"
        self._owner = uuid.uuid4().hex
        self._lease_ms = int(lease_s * 1000)
        # A fair share, so that the first process up does not hold every shard; the rest are claimed when free.
        self._share = max(1, -(-SHARDS // max(1, processes)))
        self._held: set[int] = set()
        self._closed = False
        self._waiting = 0
        self._poll_s = _POLL_S
        self._put = client.register_script(_PUT)
        self._lease = client.register_script(_LEASE)
        self._release = client.register_script(_RELEASE)

    def _list(self, shard: int) -> str:
        return f"{self._prefix}q:{shard}"

    def _lease_key(self, shard: int) -> str:
        return f"{self._prefix}lease:{shard}"

    async def put(self, events: Sequence[IngestEvent]) -> None:
        if self._closed:
            raise QueueFullError
        if not events:
            return
        argv: list[bytes | int] = [self._capacity]
        for event in events:
            argv += [shard_of(event), _ENCODER.encode(event)]
        try:
            total = await self._put(keys=[self._list(i) for i in range(SHARDS)], args=argv)
        except RedisError as exc:
            raise BackendUnavailableError(
                "transient error, please retry", reason="the ingestion queue (Redis) failed"
            ) from exc
        if int(total) < 0:
            raise QueueFullError

    async def take(self, max_events: int, *, wait_s: float) -> list[IngestEvent]:
        deadline = time.monotonic() + wait_s
        while True:
            taken = await self._take_once(max_events)
            if taken:
                self._poll_s = _POLL_S
                return taken
            if time.monotonic() >= deadline:
                return taken
            await asyncio.sleep(min(self._poll_s, max(0.0, deadline - time.monotonic())))
            self._poll_s = min(_IDLE_POLL_MAX_S, self._poll_s * 2)

    async def _take_once(self, max_events: int) -> list[IngestEvent]:
        try:
            await self._renew_and_claim()
            taken: list[IngestEvent] = []
            waiting = 0
            for shard in sorted(self._held):
                room = max_events - len(taken)
                if room > 0:
                    raw = await self._client.lpop(self._list(shard), room)
                    taken += [_DECODER.decode(cast("bytes", item)) for item in raw or []]
                waiting += int(await self._client.llen(self._list(shard)))
        except RedisError as exc:
            raise BackendUnavailableError("ingestion queue unavailable", reason="Redis failed") from exc
        self._waiting = waiting
        if self._closed and not waiting:
            await self._release_all()
        return taken

    async def _renew_and_claim(self) -> None:
        for shard in list(self._held):
            if not await self._lease(keys=[self._lease_key(shard)], args=[self._owner, self._lease_ms]):
                self._held.discard(shard)  # expired and taken over: the other process drains it now
        for shard in range(SHARDS):
            if len(self._held) >= self._share:
                break
            if shard not in self._held and await self._lease(
                keys=[self._lease_key(shard)], args=[self._owner, self._lease_ms]
            ):
                self._held.add(shard)
        if len(self._held) < self._share:
            return
        # Shards nobody holds (their process died or stopped) are claimed too, so none is left undrained.
        for shard in range(SHARDS):
            free = shard not in self._held and not await self._client.exists(self._lease_key(shard))
            if (
                free
                and await self._client.llen(self._list(shard))
                and await self._lease(keys=[self._lease_key(shard)], args=[self._owner, self._lease_ms])
            ):
                self._held.add(shard)

    async def _release_all(self) -> None:
        for shard in list(self._held):
            await self._release(keys=[self._lease_key(shard)], args=[self._owner])
        self._held.clear()

    async def release(self) -> None:
        """Give up this process's shards now (at the end of a shutdown); queued events stay for the others."""
        with contextlib.suppress(RedisError):  # the leases expire by themselves
            await self._release_all()

    def close(self) -> None:
        self._closed = True

    def __len__(self) -> int:
        """Events waiting in this process's shards at its last take (other processes' shards are theirs)."""
        return self._waiting
