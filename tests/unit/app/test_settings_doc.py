"""docs/configuration.md is generated from Settings: it must be committed as the generator writes it."""

from __future__ import annotations

from pathlib import Path

import msgspec

from flagcore.app.settings import Settings
from flagcore.app.settings_doc import DOC_PATH, field_comments, render

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_configuration_reference_is_up_to_date() -> None:
    committed = (ROOT / DOC_PATH).read_text()
    assert committed == render(), "docs/configuration.md is out of date: run `make docs` and commit it"


def test_every_setting_is_documented() -> None:
    comments = field_comments()
    for field in msgspec.structs.fields(Settings):
        assert comments.get(field.name), f"Settings.{field.name} needs a #: comment"
        assert f"`FLAGCORE_{field.name.upper()}`" in render()
