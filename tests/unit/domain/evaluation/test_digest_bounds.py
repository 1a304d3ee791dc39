"""Digest thresholds: comparing raw SHA-1 digests must decide exactly what comparing ``hash01`` floats decides."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flagcore.domain.evaluation.bucketing import (
    VARIANT_SALT,
    ZERO_DIGEST,
    bucket_digest,
    bucket_hash,
    digest_at_or_below,
    digest_below,
)

_SCALE = float(0xFFFFFFFFFFFFFFF)
_HASH_VALUES = 1 << 60
# Rollout and variant bounds as the compiler produces them, plus the edges of the hash range and beyond.
_BOUNDS = [0.0, 5e-324, 1e-18, 0.05, 0.1, 1 / 3, 0.3334, 0.5, 0.9999999, 1.0, -0.1, 1.5, 33.34 / 100]


def hash_of(digest: bytes) -> float:
    """``hash01`` of whatever was hashed into ``digest``: its first 60 bits over ``float(2**60 - 1)``."""
    return (int.from_bytes(digest[:8], "big") >> 4) / _SCALE


def digest_of(value: int, low_bits: int = 0) -> bytes:
    """A digest whose 60-bit hash value is ``value``, with arbitrary bits below."""
    return ((value << 100) | low_bits).to_bytes(20, "big")


def first_above(bound: float) -> int:
    """The smallest 60-bit value hashing above ``bound`` (searched independently of the code under test)."""
    low, high = 0, _HASH_VALUES
    while low < high:
        middle = (low + high) // 2
        if middle / _SCALE > bound:
            high = middle
        else:
            low = middle + 1
    return low


@pytest.mark.parametrize("bound", _BOUNDS)
def test_thresholds_are_exact_around_the_float_rounding_edge(bound: float) -> None:
    # Around 2**59 floats are 64 apart, so many neighbouring values hash to the same float: the edge must be exact.
    edge = first_above(bound)
    at_or_below, below = digest_at_or_below(bound), digest_below(bound)
    for value in range(max(edge - 70, 0), min(edge + 70, _HASH_VALUES)):
        for low_bits in (0, (1 << 100) - 1):
            digest = digest_of(value, low_bits)
            assert (digest < at_or_below) is (hash_of(digest) <= bound), (bound, value)
            assert (digest < below) is (hash_of(digest) < bound), (bound, value)


@settings(max_examples=200, deadline=None)
@given(
    digest=st.binary(min_size=20, max_size=20),
    bound=st.one_of(st.sampled_from(_BOUNDS), st.floats(min_value=-0.5, max_value=1.5)),
)
@example(digest=ZERO_DIGEST, bound=0.0)
@example(digest=b"\xff" * 20, bound=1.0)
def test_digest_comparisons_decide_as_hash_comparisons(digest: bytes, bound: float) -> None:
    assert (digest < digest_at_or_below(bound)) is (hash_of(digest) <= bound)
    assert (digest < digest_below(bound)) is (hash_of(digest) < bound)


@pytest.mark.parametrize(("identifier", "salt"), [(b"user-1", b""), (b"user-1", VARIANT_SALT), ("ü".encode(), b"")])
def test_bucket_digest_is_the_digest_bucket_hash_reads(identifier: bytes, salt: bytes) -> None:
    digest = bucket_digest(b"flag.", identifier, salt)
    assert digest == hashlib.sha1(b"flag." + identifier + salt, usedforsecurity=False).digest()
    assert hash_of(digest) == bucket_hash(b"flag.", identifier, salt)


def test_an_empty_identifier_is_the_zero_digest_whose_hash_is_zero() -> None:
    zero = bucket_digest(b"flag.", b"")
    assert zero == ZERO_DIGEST
    assert hash_of(zero) == bucket_hash(b"flag.", b"") == 0.0
    # Zero is inside every non-negative rollout and below every positive variant bound, as the server has it.
    assert zero < digest_at_or_below(0.0)
    assert zero >= digest_at_or_below(-0.1)
    assert zero < digest_below(1e-18)
    assert zero >= digest_below(0.0)


def test_bounds_at_or_beyond_one_admit_every_digest() -> None:
    largest = b"\xff" * 20
    for bound in (1.0, 1.5):
        assert largest < digest_at_or_below(bound)
    assert largest < digest_below(1.5)
    # The largest value hashes to exactly 1.0 (float rounding): below 1.0 it is not.
    assert largest >= digest_below(1.0)
