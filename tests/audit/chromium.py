"""Headless Chromium for the HTML report: render, capture console messages, screenshot.

Console messages are read from Chromium's own log (``--enable-logging=stderr --v=0`` prints
each as ``INFO:CONSOLE:<line>] "<message>", source: <url> (<line>)``), so no DevTools client
is needed. A missing Chromium fails the test with the install hint, never a skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests run as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)$", re.MULTILINE)


def chromium() -> str:
    """The Chromium binary, or a test failure that says how to install it."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("chromium is missing: install the Debian package 'chromium' (tools/bootstrap)")


@dataclass(frozen=True)
class Rendered:
    """What Chromium made of a page."""

    dom: str
    console: list[str]


def _run(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )


def render(page: Path, screenshot: Path, size: tuple[int, int] = (1280, 2200)) -> Rendered:
    """Load ``page``: its DOM after load, every console message, and a PNG screenshot."""
    shot = _run(page, f"--screenshot={screenshot}", f"--window-size={size[0]},{size[1]}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.is_file() and screenshot.stat().st_size > 0, shot.stderr[-2000:]
    dumped = _run(page, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    messages = CONSOLE.findall(shot.stderr) + CONSOLE.findall(dumped.stderr)
    return Rendered(dumped.stdout, messages)
