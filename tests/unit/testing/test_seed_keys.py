"""What the plugin hands the server: the seed with every key filled in, and the keys tests need."""

from __future__ import annotations

from pathlib import Path

import pytest

from flagcore.app.seeding.load import SeedError, parse_seed
from flagcore.testing import DEFAULT_SEED, seed_keys


def test_the_default_seed_has_fixed_keys() -> None:
    document, keys = seed_keys(DEFAULT_SEED)
    assert keys == [
        {
            "project_api_key": "phc_flagcoretestprojecttoken",
            "secret_api_key": "phs_flagcoretestsecretkey",
            "personal_api_key": "phx_flagcoretestpersonalkey",
            "name": "Test Project",
        }
    ]
    assert parse_seed(document) == parse_seed(DEFAULT_SEED)


def test_missing_keys_and_owner_are_minted_into_the_document() -> None:
    document, keys = seed_keys({"organizations": [{"name": "A", "projects": [{"name": "P"}, {"name": "Q"}]}]})
    assert [k["name"] for k in keys] == ["P", "Q"]
    assert all(k["project_api_key"].startswith("phc_") and k["secret_api_key"].startswith("phs_") for k in keys)
    organization = document["organizations"][0]
    assert organization["projects"][0]["api_token"] == keys[0]["project_api_key"]
    assert organization["users"][0]["personal_api_keys"][0]["value"] == keys[0]["personal_api_key"]
    assert parse_seed(document).organizations[0].users[0].level == "owner"


def test_a_manifest_file_is_a_seed_too(tmp_path: Path) -> None:
    path = tmp_path / "flags.json"
    path.write_text('{"flags": {"dark-mode": {"flagType": "boolean", "defaultValue": false}}}')
    document, keys = seed_keys(path)
    assert document["organizations"][0]["projects"][0]["openfeature"]["flags"]["dark-mode"]["flagType"] == "boolean"
    assert len(keys) == 1


def test_a_bad_seed_is_reported_before_any_server_starts() -> None:
    with pytest.raises(SeedError, match=r"\$\.organizations\[0\]\.name"):
        seed_keys({"organizations": [{"name": ""}]})
