"""Headless Chromium (Debian's, driven by Playwright) for the browser tests.

Playwright's own browser download does not work on these machines, so the tests launch ``/usr/bin/chromium``
(``.ci/run`` installs it). With ``CI=true`` a missing browser fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

#: Without the background-networking flags Chromium keeps trying to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    path = os.environ.get("FLAGCORE_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        message = f"Chromium is not installed at {path} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextmanager
def chromium() -> Iterator[Any]:
    """A launched browser (``playwright.sync_api.Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only browser tests load Playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
