"""Encrypting a written flag's payloads (``has_encrypted_payloads``), and reading them back decrypted.

Plaintext payloads of an encrypted flag exist only in memory, between the request and this step: what is stored
is ciphertext. A payload sent back as the redacted marker keeps its stored ciphertext.
"""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.domain.flags import FeatureFlag, NewFlag
from flagcore.domain.flags.encryption import REDACTED_PAYLOAD, check_encryption_allowed, seal, unseal
from flagcore.ports.payload_cipher import EncryptionUnavailableError, PayloadCipher, PayloadDecryptionError


def payloads_sent(filters: dict[str, Any] | msgspec.UnsetType) -> bool:
    """Whether a write's raw ``filters`` sets ``payloads`` (otherwise the stored ones are kept as they are)."""
    return isinstance(filters, dict) and "payloads" in filters


def protect_payloads(
    before: FeatureFlag | None, after: FeatureFlag, *, sent: bool, cipher: PayloadCipher
) -> FeatureFlag:
    """``after`` with its payloads as they must be stored: encrypted when the flag encrypts, plain otherwise.

    Raises:
        InvalidInputError: encryption asked for on a flag that is not a remote-config flag.
        EncryptionUnavailableError: encryption asked for (or stored ciphertext to decrypt) without a key.
        PayloadDecryptionError: stored ciphertext that no configured key decrypts.
    """
    check_encryption_allowed(after)
    if after.has_encrypted_payloads and not cipher.available:
        raise EncryptionUnavailableError
    was_encrypted = before is not None and before.has_encrypted_payloads
    if not was_encrypted and not after.has_encrypted_payloads:
        return after
    stored = before.filters.payloads if before is not None else {}
    payloads: dict[str, str] = {}
    for key, value in after.filters.payloads.items():
        kept = was_encrypted and key in stored and (value == REDACTED_PAYLOAD if sent else value == stored[key])
        if kept and after.has_encrypted_payloads:
            payloads[key] = stored[key]
        elif kept:
            payloads[key] = decrypt_payload(stored[key], cipher)
        elif after.has_encrypted_payloads:
            payloads[key] = seal(cipher.encrypt(value))
        else:
            payloads[key] = value
    return msgspec.structs.replace(after, filters=msgspec.structs.replace(after.filters, payloads=payloads))


def protect_new_payloads(new: NewFlag, cipher: PayloadCipher) -> NewFlag:
    """A new flag with its payloads encrypted if it encrypts them (see :func:`protect_payloads`)."""
    check_encryption_allowed(new)
    if not new.has_encrypted_payloads:
        return new
    payloads = {key: seal(cipher.encrypt(value)) for key, value in new.filters.payloads.items()}
    if not cipher.available:  # also without payloads: the flag's payloads can never be written otherwise
        raise EncryptionUnavailableError
    return msgspec.structs.replace(new, filters=msgspec.structs.replace(new.filters, payloads=payloads))


def decrypt_payload(stored: str, cipher: PayloadCipher) -> str:
    """The plaintext JSON of a stored encrypted payload.

    Raises:
        EncryptionUnavailableError: no key is configured.
        PayloadDecryptionError: no configured key decrypts it.
    """
    try:
        ciphertext = unseal(stored)
    except (ValueError, msgspec.DecodeError):
        raise PayloadDecryptionError from None
    return cipher.decrypt(ciphertext)
