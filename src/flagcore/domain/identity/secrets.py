"""Secret keys: their prefixes, one-way hashing and display masks.

Keys are 256-bit random tokens, so a fast unsalted SHA-256 is enough to store them: brute force is hopeless and the
hash must be cheap because it is computed on every authenticated request to look the key up.
"""

from __future__ import annotations

import hashlib
from typing import Final

PERSONAL_API_KEY_PREFIX: Final = "phx_"
PROJECT_API_KEY_PREFIX: Final = "phc_"
PROJECT_SECRET_KEY_PREFIX: Final = "phs_"  # noqa: S105 - a prefix, not a secret
_HASH_SCHEME: Final = "sha256$"


def hash_secret(value: str) -> str:
    """The stored form of a secret key (deterministic, so it can be looked up by equality)."""
    return _HASH_SCHEME + hashlib.sha256(value.encode()).hexdigest()


def mask_secret(value: str) -> str:
    """What may be shown of a key after creation: its prefix and last four characters."""
    return f"{value[:4]}...{value[-4:]}"


def build_token(prefix: str, random_part: str) -> str:
    """A key of the given kind from caller-supplied randomness (the domain draws no random numbers itself)."""
    return prefix + random_part
