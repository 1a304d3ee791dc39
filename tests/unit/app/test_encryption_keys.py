"""Encryption keys: settings validation, rotation with MultiFernet, and the start-up check."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from flagcore.adapters.crypto import FernetPayloadCipher
from flagcore.adapters.memory import MemoryFlagRepo
from flagcore.adapters.sqlalchemy import SqlFlagRepo, create_engine, create_sessionmaker, upgrade_database
from flagcore.app.cli_database import encryption_key_problem
from flagcore.app.flags.encryption_check import CheckEncryptionKeys, EncryptionKeysMissingError
from flagcore.app.settings import Settings, SettingsError, load_settings
from flagcore.ports.payload_cipher import EncryptionUnavailableError, PayloadDecryptionError
from tests.contract.flag_repo.builders import new_flag
from tests.contract.seed import seed_projects

NEW = Fernet.generate_key().decode()
OLD = Fernet.generate_key().decode()


def test_settings_take_comma_separated_fernet_keys_and_never_echo_a_bad_one() -> None:
    settings = load_settings({"FLAGCORE_ENCRYPTION_KEYS": f" {NEW} , {OLD} "})
    assert settings.encryption_key_list == (NEW, OLD)
    assert load_settings({}).encryption_key_list == ()
    with pytest.raises(SettingsError, match="key 2 is not a Fernet key") as caught:
        load_settings({"FLAGCORE_ENCRYPTION_KEYS": f"{NEW},not-a-key-secret"})
    assert "not-a-key-secret" not in str(caught.value)


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    old_token = FernetPayloadCipher([OLD]).encrypt('{"a": 1}')
    rotated = FernetPayloadCipher([NEW, OLD])
    assert rotated.decrypt(old_token) == '{"a": 1}'
    new_token = rotated.encrypt("x")
    assert FernetPayloadCipher([NEW]).decrypt(new_token) == "x"
    with pytest.raises(PayloadDecryptionError):
        FernetPayloadCipher([OLD]).decrypt(new_token)
    with pytest.raises(PayloadDecryptionError):
        rotated.decrypt("garbage")
    with pytest.raises(EncryptionUnavailableError):
        FernetPayloadCipher([]).encrypt("x")


async def test_start_up_check_fails_only_with_encrypted_flags_and_no_key() -> None:
    flags = MemoryFlagRepo()
    await CheckEncryptionKeys(flags, FernetPayloadCipher([])).execute()
    await flags.create(new_flag("secret", is_remote_configuration=True, has_encrypted_payloads=True))
    await CheckEncryptionKeys(flags, FernetPayloadCipher([NEW])).execute()
    with pytest.raises(EncryptionKeysMissingError, match="FLAGCORE_ENCRYPTION_KEYS"):
        await CheckEncryptionKeys(flags, FernetPayloadCipher([])).execute()


async def test_serve_refuses_a_database_with_encrypted_flags_and_no_key(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'f.db'}"
    await upgrade_database(url)
    settings = Settings(database_url=url)
    assert await encryption_key_problem(settings) is None
    engine = create_engine(url)
    try:
        sessions = create_sessionmaker(engine)
        await seed_projects(sessions)
        await SqlFlagRepo(sessions).create(new_flag("s", is_remote_configuration=True, has_encrypted_payloads=True))
    finally:
        await engine.dispose()
    problem = await encryption_key_problem(settings)
    assert problem is not None
    assert "FLAGCORE_ENCRYPTION_KEYS is not set" in problem
    assert await encryption_key_problem(Settings(database_url=url, encryption_keys=NEW)) is None
