"""Reading seed files: every malformed seed is refused with the file, the path inside it and the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flagcore.app.seeding.load import SeedError, load_seed_file, parse_seed

P = "$.organizations[0].projects[0]"


def _project(**fields: Any) -> dict[str, Any]:
    return {"organizations": [{"name": "Acme", "projects": [{"name": "Web", **fields}]}]}


@pytest.mark.parametrize(
    ("seed", "path", "reason"),
    [
        ({}, "$", "not a seed"),
        ({"organizations": []}, "$.organizations", "length >= 1"),
        ({"organizations": [{"name": 3}]}, "$.organizations[0].name", "Expected `str`"),
        ({"organizations": [{"name": "A", "typo": 1}]}, "$.organizations[0]", "unknown field `typo`"),
        (_project(api_token="nope"), f"{P}.api_token", "matching regex"),
        (_project(secret_api_keys=["phc_wrongprefix1"]), f"{P}.secret_api_keys[0]", "regex"),
        (
            _project(flags=[{"key": "a"}, {"key": "b", "filterz": {}}]),
            f"{P}.flags[1]",
            "filterz",
        ),
        (_project(flags=[{"key": "a", "active": "yes"}]), f"{P}.flags[0].active", "`bool`"),
        (_project(api_token="phc_<placeholder>"), f"{P}.api_token", "placeholder"),
        ({"flags": [{"name": "no key"}]}, "$.flags[0]", "missing required field `key`"),
        ({"flags": {"f": {"flagType": "colour", "defaultValue": 1}}}, "$.flags[...].flagType", "Invalid enum value"),
    ],
)
def test_malformed_seeds_name_the_path_and_the_reason(seed: dict[str, Any], path: str, reason: str) -> None:
    with pytest.raises(SeedError) as error:
        parse_seed(seed, file="seed.json")
    assert error.value.path == path
    assert reason in error.value.reason
    assert str(error.value).startswith(f"seed seed.json: {path}: ")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.json", "{not json", "not valid JSON"),
        ("bad.yaml", "organizations: [\n  - name: A\n", "not valid YAML: line"),
        ("list.json", "[1, 2]", "expected an object at the top"),
    ],
)
def test_unparsable_files_are_refused(tmp_path: Path, name: str, content: str, reason: str) -> None:
    file = tmp_path / name
    file.write_text(content)
    with pytest.raises(SeedError) as error:
        load_seed_file(file)
    assert error.value.file == str(file)
    assert reason in error.value.reason


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read the file"):
        load_seed_file(tmp_path / "absent.json")


def test_yaml_and_json_give_the_same_seed(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(
        '{"organizations": [{"name": "A", "projects": [{"name": "W", "flags": [{"key": "f"}]}]}]}'
    )
    (tmp_path / "s.yaml").write_text(
        "organizations:\n  - name: A\n    projects:\n      - name: W\n        flags:\n          - key: f\n"
    )
    assert load_seed_file(tmp_path / "s.json") == load_seed_file(tmp_path / "s.yaml")


def test_a_feed_or_a_manifest_alone_is_one_default_project() -> None:
    feed = parse_seed({"flags": [{"key": "f", "filters": {}, "id": 9, "team_id": 3, "version": 4}]})
    manifest = parse_seed({"flags": {"g": {"flagType": "boolean", "defaultValue": True}}})
    assert feed.organizations[0].projects[0].definitions is not None
    assert feed.organizations[0].projects[0].definitions.flags[0].key == "f"
    assert manifest.organizations[0].projects[0].openfeature is not None
