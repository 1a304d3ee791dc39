"""Use case: refuse to start when encrypted payloads are stored but no key to read them is configured."""

from __future__ import annotations

import logging

from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.flags import FlagRepo
from flagcore.ports.payload_cipher import PayloadCipher

logger = logging.getLogger("flagcore.encryption")


class EncryptionKeysMissingError(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "flags with encrypted payloads are stored but FLAGCORE_ENCRYPTION_KEYS is not set: "
            "set it to the keys they were encrypted with (see docs/remote-config.md)"
        )


class CheckEncryptionKeys:
    def __init__(self, flags: FlagRepo, cipher: PayloadCipher) -> None:
        self._flags = flags
        self._cipher = cipher

    async def execute(self) -> None:
        """Nothing when a key is configured or nothing is encrypted.

        Raises:
            EncryptionKeysMissingError: encrypted payloads exist and no key is configured.
        """
        if self._cipher.available:
            return
        try:
            encrypted = await self._flags.has_encrypted_payloads()
        except BackendUnavailableError:
            # Readiness reports an unusable database; this check runs again at the next start.
            logger.warning("encryption key check skipped: the database is unavailable")
            return
        if encrypted:
            raise EncryptionKeysMissingError
