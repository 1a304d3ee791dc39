"""Encrypted payloads (``has_encrypted_payloads``): how they are stored and how they are shown.

A stored encrypted payload is a JSON string holding the ciphertext, so the payloads map stays JSON text like any
other flag's. Management responses never show it: every value is replaced by PostHog's redacted marker, and a
write that sends that marker back keeps the stored ciphertext.
"""

from __future__ import annotations

from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags.model import FeatureFlag, Filters, NewFlag

#: What a payload of an encrypted flag looks like on the wire (a JSON text, as every stored payload is).
REDACTED_PAYLOAD: Final = '"********* (encrypted)"'


def redacted(filters: Filters) -> Filters:
    """``filters`` with every payload replaced by the redacted marker."""
    if not filters.payloads:
        return filters
    return msgspec.structs.replace(filters, payloads=dict.fromkeys(filters.payloads, REDACTED_PAYLOAD))


def check_encryption_allowed(flag: FeatureFlag | NewFlag) -> None:
    """Encrypted payloads only on remote-config flags, which evaluation never serves (only ``remote_config/``).

    Stricter than PostHog, which accepts the setting on any flag: here a payload can never reach a client as
    ciphertext.
    """
    if flag.has_encrypted_payloads and not flag.is_remote_configuration:
        raise InvalidInputError(
            "Encrypted payloads are only supported on remote configuration flags.", attr="has_encrypted_payloads"
        )


def seal(ciphertext: str) -> str:
    """The stored form of a ciphertext: a JSON string."""
    return msgspec.json.encode(ciphertext).decode()


def unseal(stored: str) -> str:
    """The ciphertext inside a stored encrypted payload.

    Raises:
        ValueError: the stored value is not a sealed ciphertext.
    """
    value = msgspec.json.decode(stored)
    if not isinstance(value, str):
        raise ValueError("not a sealed payload")  # noqa: TRY004 - a stored value of the wrong shape
    return value
