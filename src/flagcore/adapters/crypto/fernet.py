"""``PayloadCipher`` over ``cryptography``'s Fernet: AES-128-CBC with HMAC-SHA256, keys rotated with MultiFernet.

The first key encrypts; every key decrypts, so a new key is put first and the old one kept until every payload
has been rewritten (``flagcore`` re-encrypts a payload whenever its flag is written).
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from flagcore.ports.payload_cipher import EncryptionUnavailableError, PayloadCipher, PayloadDecryptionError


class FernetPayloadCipher(PayloadCipher):
    def __init__(self, keys: Sequence[str]) -> None:
        """``keys``: urlsafe base64 Fernet keys, the encrypting one first (may be empty: no encryption).

        Raises:
            ValueError: a key that is not a Fernet key (32 bytes, urlsafe base64).
        """
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None

    @property
    def available(self) -> bool:
        return self._fernet is not None

    def encrypt(self, plaintext: str) -> str:
        if self._fernet is None:
            raise EncryptionUnavailableError
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        if self._fernet is None:
            raise EncryptionUnavailableError
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except (InvalidToken, UnicodeError, ValueError):
            raise PayloadDecryptionError from None


def is_fernet_key(key: str) -> bool:
    """Whether ``key`` is a usable Fernet key."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True
