"""A real Chromium for the tests that use a page as a person would (click, type, download), driven by
Playwright on the system's browser (``/usr/bin/chromium``: Playwright downloads none).

As in ``tests/outputs/test_report.py``, a test is skipped, saying why, when Chromium (or Playwright)
is missing, and fails instead when ``PIPELINE_REQUIRE_BROWSER`` is set (CI sets it).
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def _unavailable(reason: str) -> None:
    if os.environ.get("PIPELINE_REQUIRE_BROWSER"):
        pytest.fail(f"PIPELINE_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(f"{reason}: `apt-get install chromium` and the dev extras (playwright), as .ci/run does, "
                "let this test run")


@contextmanager
def chromium():
    """A headless Chromium, closed at the end of the block."""
    if not CHROMIUM.exists() or not shutil.which(str(CHROMIUM)):
        _unavailable("Chromium is not installed (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """One page open in the browser, with every console error, uncaught exception and dialog (an
    ``alert`` a script in the data would open) it raised."""

    def __init__(self, browser, url: str) -> None:
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))  # alert(…)
        self.page.goto(url)

    def download(self, button: str, folder: Path) -> Path:
        """Click ``button`` and return the file the page gave, saved into ``folder``."""
        with self.page.expect_download() as info:
            self.page.click(button)
        path = folder / info.value.suggested_filename
        info.value.save_as(path)
        return path

    def downloaded_json(self, folder: Path) -> dict:
        return json.loads(self.download("#download", folder).read_bytes())

    def close(self) -> None:
        self.context.close()
