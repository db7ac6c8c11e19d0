"""Release tests run in a scratch project directory with the embedded defaults."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory holding copies of the fixture projects; .verifier/ lands here."""
    for name in ("tarball", "purepy", "unrepro-random"):
        shutil.copytree(FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERIFIER_PASSWORD", "test-password")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    yield tmp_path
