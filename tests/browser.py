"""Debian's chromium through Playwright, as every browser test here starts it."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# A test module's `pytestmark`: marked browser (left out of `make test-fast`), skipped
# without chromium (.ci/run installs it).
MARKS = [pytest.mark.browser, pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)",
)]

# Headless, and nothing that reaches for the network (refused on these machines).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
