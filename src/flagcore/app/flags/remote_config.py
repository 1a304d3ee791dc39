"""Use case: a remote-config flag's payload (``{id|key}/remote_config/``, management spec §6.7)."""

from __future__ import annotations

from flagcore.app.flags.payloads import decrypt_payload
from flagcore.domain.flags import FeatureFlag, FlagNotFoundError
from flagcore.domain.flags.encryption import REDACTED_PAYLOAD
from flagcore.domain.ids import is_valid_id, parse_id
from flagcore.ports.flags import FlagRepo
from flagcore.ports.payload_cipher import PayloadCipher


class GetRemoteConfig:
    """The ``true`` payload of a remote-config flag as stored JSON text (None when it has none).

    An encrypted payload is decrypted only for callers who may read it (a member's personal key); others get the
    redacted marker, as PostHog answers the project's secret key.
    """

    def __init__(self, flags: FlagRepo, cipher: PayloadCipher) -> None:
        self._flags = flags
        self._cipher = cipher

    async def execute(self, project_id: int, ref: str, *, decrypt: bool) -> str | None:
        """The payload.

        Args:
            project_id: the project.
            ref: the flag's id (all digits) or key.
            decrypt: whether the caller may see an encrypted payload in clear.

        Raises:
            FlagNotFoundError: no such flag in the project, or it is not a remote-config flag.
            EncryptionUnavailableError / PayloadDecryptionError: a payload to decrypt without a working key.
        """
        flag = await self._find(project_id, ref)
        if flag is None or not flag.is_remote_configuration:
            raise FlagNotFoundError(ref)
        payload = flag.filters.payloads.get("true")
        if payload is None or not flag.has_encrypted_payloads:
            return payload
        return decrypt_payload(payload, self._cipher) if decrypt else REDACTED_PAYLOAD

    async def _find(self, project_id: int, ref: str) -> FeatureFlag | None:
        if ref.isascii() and ref.isdigit():
            flag_id = parse_id(ref)
            return await self._flags.get(project_id, flag_id) if flag_id is not None and is_valid_id(flag_id) else None
        return await self._flags.get_by_key(project_id, ref)
