"""Shared fixtures: the repository root and a CLI runner that keeps stdout and stderr apart."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"


@pytest.fixture
def cli() -> CliRunner:
    """A typer runner; stdout (reports) and stderr (people) are kept separate."""
    return CliRunner()


@pytest.fixture(autouse=True)
def _hermetic_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep caches and keys out of the user's home; CI=true must not leak into tests."""
    cache = tmp_path_factory.getbasetemp() / "xdg-cache"
    old = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "CI")}
    os.environ["XDG_CACHE_HOME"] = str(cache)
    os.environ.pop("CI", None)
    yield
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
