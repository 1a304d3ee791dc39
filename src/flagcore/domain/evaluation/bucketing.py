"""Deterministic bucketing: PostHog's SHA-1/60-bit hash, rollout thresholds and variant tables (spec §2, §4).

Every value here must be bit-for-bit what PostHog's server computes, so the arithmetic is spelled out: the first
60 bits of the SHA-1 digest, as an integer, divided in binary64 by ``float(2**60 - 1)`` (which rounds to exactly
``2**60``, so a hash of ``1.0`` is possible).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from hashlib import sha1
from typing import Final

__all__ = (
    "HOLDOUT_PREFIX",
    "MAX_DISTINCT_ID_LENGTH",
    "VARIANT_SALT",
    "ZERO_DIGEST",
    "VariantTable",
    "bucket_digest",
    "bucket_hash",
    "build_variant_table",
    "digest_at_or_below",
    "digest_below",
    "hash01",
    "holdout_hash",
    "in_rollout",
    "normalize_identifier",
    "rollout_threshold",
    "select_variant",
    "truncate_distinct_id",
)

# float(0xFFFFFFFFFFFFFFF) is 2**60 in binary64; dividing by it (not by the exact integer) is what PostHog does.
_SCALE: Final = float(0xFFFFFFFFFFFFFFF)
VARIANT_SALT: Final = b"variant"
HOLDOUT_PREFIX: Final = b"holdout-"
#: The server truncates distinct ids to this many Unicode scalar values before hashing.
MAX_DISTINCT_ID_LENGTH: Final = 200

#: Cumulative upper bounds (exclusive) paired with variant keys, in stored order.
VariantTable = tuple[tuple[float, str], ...]


def hash01(data: bytes) -> float:
    """Hash bytes into [0, 1]: the first 15 hex digits of their SHA-1, over ``float(2**60 - 1)``."""
    # The first 8 digest bytes shifted right by 4 bits are the first 15 hex digits, without formatting text.
    return (int.from_bytes(sha1(data, usedforsecurity=False).digest()[:8], "big") >> 4) / _SCALE


def bucket_hash(prefix: bytes, identifier: bytes, salt: bytes = b"") -> float:
    """The rollout or variant hash of an identifier, as the server's v1 matcher computes it.

    Args:
        prefix: ``<flag key>.`` encoded in UTF-8.
        identifier: the hashed identifier (distinct id, group key, device id or hash-key override), UTF-8.
        salt: ``b""`` for rollout, :data:`VARIANT_SALT` for variant selection.

    Returns:
        The hash in [0, 1]; ``0.0`` without hashing for an empty identifier (so an empty identifier is inside
        every rollout and gets the first variant), as the server does.
    """
    if not identifier:
        return 0.0
    return hash01(prefix + identifier + salt)


#: The digest standing for an empty identifier, whose hash is ``0.0`` without hashing (see :func:`bucket_hash`).
ZERO_DIGEST: Final = bytes(20)
_HASH_VALUES: Final = 1 << 60
_WINDOW: Final = 256
# The 60 hash bits are the top of the 160-bit digest: the other 100 bits never change which side of a bound it is.
_LOW_BITS: Final = 160 - 60
# Compares above every 20-byte digest: a bound no digest reaches.
_ABOVE_EVERY_DIGEST: Final = b"\xff" * 21


def bucket_digest(prefix: bytes, identifier: bytes, salt: bytes = b"") -> bytes:
    """The SHA-1 digest :func:`bucket_hash` reads, ``ZERO_DIGEST`` for an empty identifier.

    The engine compares digests with bounds from :func:`digest_at_or_below` and :func:`digest_below` instead of
    turning each into a float: on the hot path that saves the slicing, the int conversion and the division.
    """
    if not identifier:
        return ZERO_DIGEST
    return sha1(prefix + identifier + salt, usedforsecurity=False).digest()


def digest_at_or_below(bound: float) -> bytes:
    """The digest threshold of ``hash <= bound``: a digest's hash is at most ``bound`` iff ``digest < threshold``.

    Exact, not approximate: the 60-bit value ``n`` of a digest hashes to ``n / float(2**60 - 1)``, which never
    decreases as ``n`` grows, so the digests whose hash is at most ``bound`` are exactly those whose ``n`` is below
    the count of such values, and big-endian digests of equal length order as bytes as they do as integers.
    """
    return _digest_threshold(_count_hash_values(bound, inclusive=True))


def digest_below(bound: float) -> bytes:
    """The digest threshold of ``hash < bound``: a digest's hash is below ``bound`` iff ``digest < threshold``."""
    return _digest_threshold(_count_hash_values(bound, inclusive=False))


@lru_cache(maxsize=1024)
def _count_hash_values(bound: float, *, inclusive: bool) -> int:
    # How many 60-bit values hash at most (or below) ``bound``, found with the very division hash01 performs, so
    # that float rounding is reproduced rather than modelled. Values below 2**60 are within 64 of their float, so
    # the count lies within a few hundred of ``bound * 2**60``: a short search there, over the whole range only if
    # that window does not bracket it. Cached because a project's flags repeat the same few percentages.
    def admitted(value: int) -> bool:
        hashed = value / _SCALE
        return hashed <= bound if inclusive else hashed < bound

    guess = int(min(max(bound, 0.0), 1.0) * _HASH_VALUES)
    low, high = max(guess - _WINDOW, 0), min(guess + _WINDOW, _HASH_VALUES)
    if (low > 0 and not admitted(low - 1)) or (high < _HASH_VALUES and admitted(high)):
        low, high = 0, _HASH_VALUES
    while low < high:  # the count lies in [low, high]
        middle = (low + high) // 2
        if admitted(middle):
            low = middle + 1
        else:
            high = middle
    return low


@lru_cache(maxsize=1024)
def _digest_threshold(count: int) -> bytes:
    # Cached like the count: flags with the same percentage then share one threshold object, which every
    # evaluation of their conditions reads (a smaller working set for large snapshots).
    return (count << _LOW_BITS).to_bytes(20, "big") if count < _HASH_VALUES else _ABOVE_EVERY_DIGEST


def holdout_hash(identifier: bytes) -> float:
    """The holdout hash: ``holdout-`` + identifier, hashed even when the identifier is empty."""
    return hash01(HOLDOUT_PREFIX + identifier)


def rollout_threshold(rollout_percentage: float | None) -> float | None:
    """The hash bound a rollout percentage admits, or ``None`` when every hash is admitted without hashing.

    ``None`` (absent) and 100 or more admit everyone; the server short-circuits 100 without hashing. Otherwise the
    bound is ``rollout_percentage / 100`` in binary64 (``33.34 / 100 == 0.33340000000000003``).
    """
    if rollout_percentage is None or rollout_percentage >= 100:  # noqa: PLR2004 - a percentage, not magic
        return None
    return rollout_percentage / 100


def in_rollout(hash_value: float, rollout_percentage: float | None) -> bool:
    """Whether a hash falls inside a rollout: ``hash <= percentage / 100`` (inclusive); null means 100."""
    threshold = rollout_threshold(rollout_percentage)
    return threshold is None or hash_value <= threshold


def build_variant_table(variants: Sequence[tuple[str, float]]) -> VariantTable:
    """Cumulative variant bounds, accumulated left to right in binary64 exactly as the server does.

    Args:
        variants: ``(key, rollout_percentage)`` pairs in stored order.

    Returns:
        ``(upper bound, key)`` pairs; percentages are not normalized, so bounds may end below or above 1.
    """
    table: list[tuple[float, str]] = []
    cumulative = 0.0
    for key, percentage in variants:
        cumulative += percentage / 100
        table.append((cumulative, key))
    return tuple(table)


def select_variant(table: VariantTable, hash_value: float) -> str | None:
    """The first variant whose cumulative bound is above the hash (bounds are exclusive), else ``None``."""
    for bound, key in table:
        if hash_value < bound:
            return key
    return None


def truncate_distinct_id(distinct_id: str) -> str:
    """The distinct id the server hashes: at most 200 code points (Python indexes strings by code point)."""
    return distinct_id[:MAX_DISTINCT_ID_LENGTH]


def normalize_identifier(value: object) -> str | None:
    """A group key (or numeric id) as the server turns it into hashed text.

    JSON strings are used as they are; JSON numbers become their decimal text (``42`` -> ``"42"``);
    anything else (booleans, null, lists, objects) has no identifier.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return _float_text(value)
    return None


def _float_text(value: float) -> str:
    # The server prints floats with the shortest round-trip digits like Python's repr, but writes exponents
    # without "+" or zero padding ("1e20", "1e-7").
    text = repr(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"
