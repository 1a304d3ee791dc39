"""Encryption of flag payloads at rest (``has_encrypted_payloads``)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from flagcore.domain.errors import InvalidInputError
from flagcore.ports.errors import BackendUnavailableError


class EncryptionUnavailableError(InvalidInputError):
    """No encryption key is configured, so encrypted payloads can be neither written nor read."""

    def __init__(self) -> None:
        super().__init__(
            "Encrypted payloads need an encryption key: set FLAGCORE_ENCRYPTION_KEYS.", attr="has_encrypted_payloads"
        )


class PayloadDecryptionError(BackendUnavailableError):
    """A stored ciphertext could not be decrypted with any configured key (a key was removed too early)."""

    def __init__(self) -> None:
        super().__init__(
            "An encrypted payload cannot be decrypted. Please contact the operator.",
            reason="no key of FLAGCORE_ENCRYPTION_KEYS decrypts a stored payload (was a key removed too early?)",
            kind="payload_decryption",
        )


class PayloadCipher(Protocol):
    """Symmetric, authenticated encryption of payload texts. Ciphertexts are ASCII text."""

    @property
    @abstractmethod
    def available(self) -> bool:
        """Whether a key is configured (otherwise ``encrypt`` and ``decrypt`` raise)."""
        ...

    @abstractmethod
    def encrypt(self, plaintext: str) -> str:
        """The ciphertext of ``plaintext`` under the current (first) key.

        Raises:
            EncryptionUnavailableError: no key is configured.
        """
        ...

    @abstractmethod
    def decrypt(self, ciphertext: str) -> str:
        """The plaintext, trying every configured key (so keys can rotate).

        Raises:
            EncryptionUnavailableError: no key is configured.
            PayloadDecryptionError: no configured key decrypts it, or it is not a ciphertext.
        """
        ...
