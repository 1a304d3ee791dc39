"""Remote-config flags and encrypted payloads over HTTP (memory, SQLite, PostgreSQL): stored encrypted, shown
redacted, decrypted only for personal keys, refused without a key; ``{id|key}/remote_config/`` per spec §6.7."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from cryptography.fernet import Fernet

from flagcore.adapters.crypto import FernetPayloadCipher
from flagcore.domain.flags.encryption import REDACTED_PAYLOAD, unseal
from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error

KEY = Fernet.generate_key().decode()
OLD_KEY = Fernet.generate_key().decode()
SECRET = {"api_key": "sk_live_very_secret"}
ENCRYPTED = pytest.mark.world_settings(encryption_keys=KEY)


def remote(**fields: Any) -> dict[str, Any]:
    return {
        "is_remote_configuration": True,
        "filters": {"groups": [{"rollout_percentage": 100}], "payloads": {"true": json.dumps(SECRET)}},
        **fields,
    }


async def stored_payload(world: World, flag_id: int) -> str:
    """The payload as the definitions would store it, read back from the management API's storage."""
    # The activity log and every response redact it, so read the row from the store itself.
    assert world.flags is not None
    flag = await world.flags.get(world.project_id, flag_id)
    assert flag is not None
    return flag.filters.payloads["true"]


async def test_plain_remote_config_payload_is_served_as_a_json_string(world: World) -> None:
    flag = await create(world, "plain-config", **remote())
    for ref in (str(flag["id"]), "plain-config"):
        response = await world.client.get(world.url(f"{ref}/remote_config/"), headers=world.auth())
        assert response.status_code == 200
        assert json.loads(response.json()) == SECRET  # decoded twice, as SDKs do
    by_secret = await world.client.get(world.url("plain-config/remote_config"), headers=world.auth(world.secret_key))
    assert json.loads(by_secret.json()) == SECRET


async def test_remote_config_404s_have_an_empty_body(world: World) -> None:
    await create(world, "not-config")
    theirs = await world.client.post(
        world.url(project=world.other_project_id),
        json={"key": "theirs", **remote()},
        headers=world.auth(world.other_key),
    )
    for ref in ("not-config", "missing", "999999", str(theirs.json()["id"]), "theirs", "9" * 40):
        response = await world.client.get(world.url(f"{ref}/remote_config/"), headers=world.auth())
        assert (response.status_code, response.content) == (404, b""), ref
    other_project = await world.client.get(
        world.url("theirs/remote_config/", project=world.other_project_id), headers=world.auth(world.secret_key)
    )
    assert error(other_project)[0] == 404  # the secret key reaches only its own project


async def test_remote_config_without_payload_is_null(world: World) -> None:
    await create(world, "empty-config", is_remote_configuration=True)
    response = await world.client.get(world.url("empty-config/remote_config/"), headers=world.auth())
    assert (response.status_code, response.json()) == (200, None)


async def test_encryption_without_a_key_is_refused(world: World) -> None:
    response = await world.client.post(
        world.url(), json={"key": "enc", **remote(has_encrypted_payloads=True)}, headers=world.auth()
    )
    status, _type, _code, attr = error(response)
    assert (status, attr) == (400, "has_encrypted_payloads")
    assert "FLAGCORE_ENCRYPTION_KEYS" in response.json()["detail"]


@ENCRYPTED
async def test_encryption_needs_a_remote_config_flag(world: World) -> None:
    body = {"key": "enc", "has_encrypted_payloads": True, "filters": {"groups": [{}], "payloads": {"true": "1"}}}
    response = await world.client.post(world.url(), json=body, headers=world.auth())
    assert error(response)[::3] == (400, "has_encrypted_payloads")


@ENCRYPTED
async def test_encrypted_payload_is_stored_encrypted_shown_redacted_and_decrypted_for_personal_keys(
    world: World,
) -> None:
    flag = await create(world, "enc", **remote(has_encrypted_payloads=True))
    assert flag["filters"]["payloads"] == {"true": REDACTED_PAYLOAD}
    stored = await stored_payload(world, flag["id"])
    assert "sk_live" not in stored
    assert json.loads(FernetPayloadCipher([KEY]).decrypt(unseal(stored))) == SECRET
    listed = (await world.client.get(world.url(), headers=world.auth())).json()["results"][0]
    assert listed["filters"]["payloads"] == {"true": REDACTED_PAYLOAD}
    personal = await world.client.get(world.url("enc/remote_config/"), headers=world.auth())
    assert json.loads(personal.json()) == SECRET
    secret_key = await world.client.get(world.url(f"{flag['id']}/remote_config/"), headers=world.auth(world.secret_key))
    assert secret_key.json() == REDACTED_PAYLOAD
    activity = await world.client.get(world.url(f"{flag['id']}/activity/"), headers=world.auth())
    assert "sk_live" not in activity.text
    feed = await world.client.get(world.url("local_evaluation"), headers=world.auth())
    assert "enc" not in [f["key"] for f in feed.json()["flags"]]  # served only through remote_config


@ENCRYPTED
async def test_sending_the_redacted_value_back_keeps_the_ciphertext_and_new_values_are_encrypted(world: World) -> None:
    flag = await create(world, "enc", **remote(has_encrypted_payloads=True))
    stored = await stored_payload(world, flag["id"])
    echoed = await world.client.patch(
        world.url(str(flag["id"])), json={"filters": flag["filters"]}, headers=world.auth()
    )
    assert echoed.status_code == 200
    assert await stored_payload(world, flag["id"]) == stored
    renamed = await world.client.patch(world.url(str(flag["id"])), json={"name": "x"}, headers=world.auth())
    assert renamed.status_code == 200
    assert await stored_payload(world, flag["id"]) == stored
    new = {"payloads": {"true": json.dumps({"api_key": "rotated"})}}
    await world.client.patch(world.url(str(flag["id"])), json={"filters": new}, headers=world.auth())
    assert "rotated" not in await stored_payload(world, flag["id"])
    served = await world.client.get(world.url("enc/remote_config/"), headers=world.auth())
    assert json.loads(served.json()) == {"api_key": "rotated"}


@ENCRYPTED
async def test_turning_encryption_off_decrypts_the_stored_payload(world: World) -> None:
    flag = await create(world, "enc", **remote(has_encrypted_payloads=True))
    off = await world.client.patch(
        world.url(str(flag["id"])), json={"has_encrypted_payloads": False}, headers=world.auth()
    )
    assert off.status_code == 200
    assert json.loads(off.json()["filters"]["payloads"]["true"]) == SECRET
    assert json.loads(await stored_payload(world, flag["id"])) == SECRET


@pytest.mark.world_settings(encryption_keys=f"{KEY},{OLD_KEY}")
async def test_payloads_of_a_rotated_key_still_decrypt(world: World) -> None:
    flag = await create(world, "rotated", **remote())
    # A payload encrypted under the old key, as an installation before rotation stored it.
    from flagcore.domain.flags.encryption import seal  # noqa: PLC0415

    flags = world.flags
    assert flags is not None
    current = await flags.get(world.project_id, flag["id"])
    assert current is not None
    old = seal(FernetPayloadCipher([OLD_KEY]).encrypt(json.dumps(SECRET)))
    filters = msgspec.structs.replace(current.filters, payloads={"true": old})
    await flags.update(
        msgspec.structs.replace(current, filters=filters, has_encrypted_payloads=True), expected_version=1
    )
    served = await world.client.get(world.url("rotated/remote_config/"), headers=world.auth())
    assert json.loads(served.json()) == SECRET


@ENCRYPTED
async def test_copying_an_encrypted_flag_keeps_its_payload(world: World) -> None:
    await create(world, "enc", **remote(has_encrypted_payloads=True))
    body = {
        "feature_flag_key": "enc",
        "from_project": world.project_id,
        "target_project_ids": [world.sibling_project_id],
    }
    response = await world.client.post(
        f"/api/organizations/{world.organization_id}/feature_flags/copy_flags/", json=body, headers=world.auth()
    )
    assert response.json()["failed"] == []
    served = await world.client.get(
        world.url("enc/remote_config/", project=world.sibling_project_id), headers=world.auth()
    )
    assert json.loads(served.json()) == SECRET
