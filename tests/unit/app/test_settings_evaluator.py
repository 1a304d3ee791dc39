"""FLAGCORE_EVALUATOR, FLAGCORE_EVALUATOR_URL, FLAGCORE_EVALUATOR_TIMEOUT_S, and the adapter they select."""

from __future__ import annotations

import pytest
from dishka import make_async_container
from dishka.integrations.litestar import LitestarProvider

from flagcore.adapters.http import HttpFlagEvaluator
from flagcore.app.evaluation.in_process_evaluator import InProcessFlagEvaluator
from flagcore.app.ioc import get_providers
from flagcore.app.settings import Settings, SettingsError, load_settings
from flagcore.ports.flag_evaluator import FlagEvaluator


def test_the_local_evaluator_is_the_default() -> None:
    settings = load_settings({})
    assert (settings.evaluator, settings.evaluator_url, settings.evaluator_timeout_s) == ("local", None, 3.0)


def test_http_evaluator_with_url_and_timeout() -> None:
    settings = load_settings(
        {
            "FLAGCORE_EVALUATOR": "http",
            "FLAGCORE_EVALUATOR_URL": "https://flags.internal:8443/base",
            "FLAGCORE_EVALUATOR_TIMEOUT_S": "0.25",
        }
    )
    assert settings.evaluator == "http"
    assert settings.evaluator_url == "https://flags.internal:8443/base"
    assert settings.evaluator_timeout_s == 0.25


def test_http_evaluator_without_url_stops_start_up_naming_the_url_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"FLAGCORE_EVALUATOR": "http"})
    assert str(caught.value).startswith("FLAGCORE_EVALUATOR_URL: required when FLAGCORE_EVALUATOR=http")


def test_an_empty_url_counts_as_unset() -> None:
    assert load_settings({"FLAGCORE_EVALUATOR_URL": ""}).evaluator == "local"
    with pytest.raises(SettingsError, match=r"^FLAGCORE_EVALUATOR_URL: required"):
        load_settings({"FLAGCORE_EVALUATOR": "http", "FLAGCORE_EVALUATOR_URL": ""})


@pytest.mark.parametrize(
    "url",
    [
        "flags.internal:8000",
        "ftp://flags.internal",
        "http://",
        "http://:8000",
        "http://flags.internal:99999",
        "http://flags.internal:port",
        "http://[::1",
        "https://flags.internal/?token=x",
        "https://flags.internal/#frag",
    ],
)
def test_a_url_that_is_not_an_http_base_url_stops_start_up(url: str) -> None:
    # Checked even with the local evaluator, so a typo surfaces before someone switches to http.
    for evaluator in ("http", "local"):
        with pytest.raises(SettingsError, match=r"^FLAGCORE_EVALUATOR_URL: .* is not an http\(s\) base URL"):
            load_settings({"FLAGCORE_EVALUATOR": evaluator, "FLAGCORE_EVALUATOR_URL": url})


@pytest.mark.parametrize(("variable", "value"), [("FLAGCORE_EVALUATOR", "remote"), ("FLAGCORE_EVALUATOR", "HTTP")])
def test_an_unknown_evaluator_stops_start_up(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=rf"^{variable}:"):
        load_settings({variable: value})


@pytest.mark.parametrize("value", ["0", "-1", "301", "soon"])
def test_a_bad_timeout_stops_start_up(value: str) -> None:
    with pytest.raises(SettingsError, match=r"^FLAGCORE_EVALUATOR_TIMEOUT_S:"):
        load_settings({"FLAGCORE_EVALUATOR_TIMEOUT_S": value})


@pytest.mark.parametrize(
    ("settings", "adapter"),
    [
        (Settings(database_url="memory://"), InProcessFlagEvaluator),
        (
            Settings(database_url="memory://", evaluator="http", evaluator_url="http://127.0.0.1:9"),
            HttpFlagEvaluator,
        ),
    ],
)
async def test_the_settings_choose_the_adapter(settings: Settings, adapter: type[FlagEvaluator]) -> None:
    container = make_async_container(*get_providers(settings), LitestarProvider(), context={Settings: settings})
    try:
        assert type(await container.get(FlagEvaluator)) is adapter
    finally:
        await container.close()
