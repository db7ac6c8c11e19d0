"""The HTML audit report in headless Chromium: it renders, logs nothing, and is kept as a PNG.

The screenshot lands in tests/artifacts/audit-report.png (gitignored) for a person to look at.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from tests.audit.chromium import render
from tests.audit.conftest import STORE
from tests.conftest import REPO
from tests.rebuild.conftest import run_cli

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "tests" / "artifacts"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_html_report_renders_cleanly_in_chromium(audit_project: Path, tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    outcome = run_cli(
        "audit", "--store", STORE, "--all-releases", "unsigned", "--policy", "strict.yaml",
        "-o", str(page),
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.stderr
    html = page.read_text()
    # Self-contained: nothing is fetched, nothing runs.
    for needle in ("<script", "<link", "src=", "href=", "url(", "@import", "<iframe", "<img"):
        assert needle not in html, f"the report references an external asset: {needle}"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "audit-report.png"
    screenshot.unlink(missing_ok=True)
    rendered = render(page, screenshot)
    assert rendered.console == [], f"console messages: {rendered.console}"
    assert "<h1>verifier audit</h1>" in rendered.dom
    assert len(re.findall(r"<svg", rendered.dom)) == 2  # reproducibility and licenses
    assert rendered.dom.count("<rect") >= 4 + 5  # one bar per artifact, the verdict legend
    for text in ("oci-layout:.verifier/store:v1.2.0", "MISMATCH", "denied", "purepy 1.0.0"):
        assert text in rendered.dom
    assert _png_size(screenshot) == (1280, 2200)


def test_console_errors_are_caught(tmp_path: Path) -> None:
    """The check above can fail: a page that logs is seen logging."""
    page = tmp_path / "noisy.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>x</p>"
        '<script>console.error("audit-marker")</script></body></html>'
    )
    rendered = render(page, tmp_path / "noisy.png", (400, 300))
    assert any("audit-marker" in m for m in rendered.console), rendered.console
