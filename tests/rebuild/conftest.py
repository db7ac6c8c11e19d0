"""Helpers for rebuild tests: run the real CLI in-process and read its JSON report."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from verifier.cli import app


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout)  # type: ignore[no-any-return]


def run_cli(*args: str) -> Outcome:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def rebuild(recipe: Path, out: Path, *extra: str) -> Outcome:
    return run_cli("rebuild", str(recipe), "--out", str(out), "--json", *extra)


@pytest.fixture
def fixture_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a fixture project into tmp_path (tests that edit recipes or inputs)."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(FIXTURES / name, dest)
        return dest / "repro.toml"

    return copy


def require_bwrap() -> None:
    if shutil.which("bwrap") is None:
        pytest.fail("bwrap is missing: install the Debian package 'bubblewrap' (tools/bootstrap)")
