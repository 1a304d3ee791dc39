"""Encoded ``"key":record`` JSON members by result object: most are encoded once per snapshot, not per subject.

The engine shares one result object per flag outcome across subjects (the match of condition 2 with variant
"test", ...), so ``/flags``, ``/decide`` and ``flagcore evaluate`` encode each shared result once and join the
kept bytes. The cache holds the results it encoded, so while a member is cached no other object can have its
result's id: finding an id is finding that very result. The cache is bounded (results built per evaluation, as
failed ones are, would otherwise make it grow).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any, Final, cast

import msgspec

from flagcore.domain.evaluation import FlagResult

_ENCODER: Final = msgspec.json.Encoder()


class RecordCache:
    """``"key":record`` members of results, ``render`` giving a result's record (anything msgspec encodes)."""

    __slots__ = ("_held", "_members", "_render")
    _LIMIT: Final = 8192

    def __init__(self, render: Callable[[FlagResult], Any]) -> None:
        self._render = render
        self._members: dict[int, bytes] = {}
        self._held: list[FlagResult] = []

    def members(self, results: Collection[FlagResult]) -> bytes:
        """The results' members, comma-separated, in the order given (iterated twice at most: a collection)."""
        try:
            # All in C (map, dict.get, join): this runs for every flag of every request. A result not cached yet
            # makes get return None, which join refuses.
            return b",".join(cast("Iterator[bytes]", map(self._members.get, map(id, results))))
        except TypeError:
            return b",".join(map(self._member, results))

    def _member(self, result: FlagResult) -> bytes:
        member = self._members.get(id(result))
        if member is None:
            if len(self._held) >= self._LIMIT:
                self._members.clear()
                self._held.clear()
            member = _ENCODER.encode(result.key) + b":" + _ENCODER.encode(self._render(result))
            self._members[id(result)] = member
            self._held.append(result)
        return member
