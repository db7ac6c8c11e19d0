"""Fixtures of the pins tests: the fixture repository, its pinned twin, a file writer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

# The real registry (Debian docker-registry) the store tests start, for --resolve.
from tests.store.conftest import registry, tls_auth_registry  # noqa: F401
from verifier.pins.finding import Finding
from verifier.pins.scan import scan_path

UNPINNED = FIXTURES / "pins" / "unpinned"
PINNED = FIXTURES / "pins" / "pinned"


def triples(findings: tuple[Finding, ...]) -> set[tuple[str, int, str]]:
    """``(path, line, kind)`` of each finding: what the exact-set tests compare."""
    return {(f.path, f.line, f.kind.value) for f in findings}


@pytest.fixture
def scan_text(tmp_path: Path) -> Callable[[str, str], tuple[Finding, ...]]:
    """Write ``text`` to ``name`` under a fresh directory and scan that directory."""

    count = 0

    def scan(name: str, text: str) -> tuple[Finding, ...]:
        nonlocal count
        count += 1
        root = tmp_path / f"repo{count}"
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return scan_path(root).findings

    return scan


@pytest.fixture(autouse=True)
def _wide_console() -> Iterator[None]:
    """Messages must fit one line; keep rich from wrapping them at the runner's 80 columns."""
    from verifier.cli.app import console

    old = console.width
    console.width = 10_000
    yield
    console.width = old
