"""Settings from FLAGCORE_* variables: defaults, parsing, and start-up errors that name the variable."""

from __future__ import annotations

import pytest

from flagcore.app.settings import MEMORY_DATABASE_URL, Settings, SettingsError, load_settings


def test_defaults_when_no_variable_is_set() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert settings.database_url == "sqlite+aiosqlite:///./flagcore.db"
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.log_level == "info"
    assert settings.debug is False
    assert settings.uses_memory_storage is False


def test_values_are_parsed_from_strings() -> None:
    settings = load_settings(
        {
            "FLAGCORE_HOST": "192.0.2.10",
            "FLAGCORE_PORT": "9001",
            "FLAGCORE_WORKERS": "4",
            "FLAGCORE_LOG_LEVEL": "debug",
            "FLAGCORE_DEBUG": "true",
        }
    )
    assert (settings.host, settings.port, settings.workers, settings.log_level) == ("192.0.2.10", 9001, 4, "debug")
    assert settings.debug is True


def test_variables_without_the_prefix_are_ignored() -> None:
    assert load_settings({"PORT": "1", "DATABASE_URL": "mysql://x", "flagcore_port": "2"}) == Settings()


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("sqlite:///tmp/a.db", "sqlite+aiosqlite:///tmp/a.db"),
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("mysql://u:p@h:3306/db", "mysql+asyncmy://u:p@h:3306/db"),
        ("mysql+aiomysql://u@h/db?charset=utf8mb4", "mysql+asyncmy://u@h/db?charset=utf8mb4"),
        ("mysql+asyncmy://u@h/db", "mysql+asyncmy://u@h/db"),
        ("mariadb://u@h/db", "mysql+asyncmy://u@h/db"),
    ],
)
def test_database_url_driver_aliases_are_normalised(given: str, stored: str) -> None:
    assert load_settings({"FLAGCORE_DATABASE_URL": given}).database_url == stored


def test_memory_database_url_selects_memory_storage() -> None:
    assert load_settings({"FLAGCORE_DATABASE_URL": MEMORY_DATABASE_URL}).uses_memory_storage is True


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FLAGCORE_DATABASE_URL", "mssql://u@h/db"),
        ("FLAGCORE_DATABASE_URL", "mysql+pymysql://u@h/db"),
        ("FLAGCORE_PORT", "0"),
        ("FLAGCORE_PORT", "65536"),
        ("FLAGCORE_PORT", "http"),
        ("FLAGCORE_WORKERS", "0"),
        ("FLAGCORE_WORKERS", "65"),
        ("FLAGCORE_LOG_LEVEL", "verbose"),
        ("FLAGCORE_DEBUG", "maybe"),
    ],
)
def test_an_invalid_value_stops_start_up_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({variable: value})
    assert str(caught.value).startswith(f"{variable}:"), caught.value


def test_settings_built_in_code_are_validated_too() -> None:
    with pytest.raises(SettingsError, match="FLAGCORE_DATABASE_URL"):
        Settings(database_url="mssql://x")


def test_unknown_flagcore_variables_stop_start_up() -> None:
    with pytest.raises(SettingsError, match="FLAGCORE_DATABSE_URL"):
        load_settings({"FLAGCORE_DATABSE_URL": "postgresql://x@h/db"})


def test_test_suite_variables_are_not_settings() -> None:
    assert load_settings({"FLAGCORE_TEST_POSTGRES_URL": "postgresql://x@h/db"}) == Settings()
