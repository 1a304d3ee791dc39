"""``UsageCounters`` in Redis: one hash per organization, resource and month, one field per day, ``HINCRBY``.

Every instance adds to the same hashes, so the count is the sum over instances; a batch is one ``MULTI`` pipeline.
Keys expire some weeks after their month ends (usage of past periods is not kept here).

A batch whose reply is lost (a timeout after Redis applied it) raises and may be re-sent by the caller, counting it
twice: counting errs towards serving, never towards failing requests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from flagcore.domain.quota import DailyUsage, Resource, UsageKey
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.quota import UsageCounters

#: Counters live ~3 months: long enough to read last period's usage, short enough not to accumulate.
_TTL_S: Final = 100 * 24 * 3600


class RedisUsageCounters(UsageCounters):
    def __init__(self, client: Redis, *, key_prefix: str = "") -> None:
        self._client = client
        self._prefix = key_prefix

    def _key(self, organization_id: str, resource: str, day: date) -> str:
        return f"{self._prefix}flagcore:usage:{resource}:{organization_id}:{day:%Y-%m}"

    async def add(self, increments: Mapping[UsageKey, int]) -> None:
        by_hash: defaultdict[str, dict[str, int]] = defaultdict(dict)
        for key, amount in increments.items():
            if amount:
                by_hash[self._key(key.organization_id, key.resource, key.day)][key.day.isoformat()] = amount
        if not by_hash:
            return
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                for name, fields in by_hash.items():
                    for field, amount in fields.items():
                        # A pipeline queues the command and returns itself: nothing to await until execute().
                        _ = pipe.hincrby(name, field, amount)
                    _ = pipe.expire(name, _TTL_S)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise BackendUnavailableError("usage counters (Redis) unavailable") from exc

    async def daily(self, organization_id: str, resource: Resource, start: date, end: date) -> DailyUsage:
        months = sorted({self._key(organization_id, resource, start + timedelta(days=n)) for n in _days(start, end)})
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for name in months:
                    _ = pipe.hgetall(name)
                replies: list[dict[bytes, bytes]] = await pipe.execute()
        except (RedisError, OSError) as exc:
            raise BackendUnavailableError("usage counters (Redis) unavailable") from exc
        days: dict[date, int] = {}
        for reply in replies:
            for field, value in reply.items():
                day = date.fromisoformat(field.decode())
                if start <= day < end:
                    days[day] = int(value)
        return DailyUsage(days=days)


def _days(start: date, end: date) -> range:
    return range(max((end - start).days, 0))
