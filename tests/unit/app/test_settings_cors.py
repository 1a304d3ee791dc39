"""FLAGCORE_CORS_ORIGINS (issue 17): origins normalised as browsers send them; bad entries stop start-up."""

from __future__ import annotations

import pytest

from flagcore.app.settings import SettingsError, load_settings


def test_no_origin_by_default() -> None:
    assert load_settings({}).allowed_origins == frozenset()
    assert load_settings({"FLAGCORE_CORS_ORIGINS": " , "}).allowed_origins == frozenset()


def test_origins_are_normalised_to_what_browsers_send() -> None:
    settings = load_settings(
        {"FLAGCORE_CORS_ORIGINS": "HTTPS://Admin.Example.com:443/, http://localhost:3000,http://[::1]:80"}
    )
    assert settings.allowed_origins == frozenset({"https://admin.example.com", "http://localhost:3000", "http://[::1]"})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("*", "wildcards are not allowed"),
        ("https://*.example.com", "wildcards are not allowed"),
        ("https://admin.example.com/app", "is not an origin"),
        ("https://admin.example.com?x=1", "is not an origin"),
        ("https://user:pw@admin.example.com", "is not an origin"),
        ("ftp://files.example.com", "is not an origin"),
        ("admin.example.com", "is not an origin"),
        ("https://admin.example.com:99999", "is not an origin"),
        ("https://ok.example.com,nope", "'nope' is not an origin"),
    ],
)
def test_a_bad_origin_names_the_variable_and_the_entry(value: str, message: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"FLAGCORE_CORS_ORIGINS": value})
    assert str(info.value).startswith("FLAGCORE_CORS_ORIGINS: ")
    assert message in str(info.value)
