"""A release killed at any step leaves no tag pointing at an incomplete release."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rebuild.conftest import require_bwrap, run_cli
from verifier.release.pipeline import STEPS
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore

pytestmark = pytest.mark.slow
VERIFIER = str(Path(sys.executable).parent / "verifier")


def _release_killed_at(step: int, version: str, cwd: Path) -> None:
    """Start a release and SIGKILL its whole process group when step ``step`` starts."""
    proc = subprocess.Popen(
        [VERIFIER, "release", "tarball", "--version", version, "--builds", "1"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=os.environ.copy(),
    )
    assert proc.stderr is not None
    marker = re.compile(rf"^\[{step}/{len(STEPS)}\] {re.escape(STEPS[step - 1])}$")
    seen: list[str] = []
    try:
        for raw in proc.stderr:
            seen.append(raw.decode().rstrip())
            if marker.match(seen[-1].strip()):
                os.killpg(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (step, proc.returncode, seen[-5:])


def test_kill_at_every_step_never_leaves_a_partial_release(project: Path) -> None:
    require_bwrap()
    # The key and policy exist before the first kill, as they would in a real project.
    assert run_cli("release", "tarball", "--version", "0.0.1").exit_code == 0
    for step in range(1, len(STEPS) + 1):
        # A version per step: a kill that lands late (the process may run on a little after
        # it printed the step) must not turn the next run into an "already released" no-op.
        version = f"1.0.{step}"
        _release_killed_at(step, version, project)
        store = LayoutStore(project / ".verifier/store", Deadline(30))
        if store.resolve(f"v{version}") is not None:
            # The kill landed after the tag (the last write): the release must be complete.
            listed = run_cli("releases", "--json")
            assert f'"version": "{version}"' in listed.stdout, (step, listed.stdout)
            assert "missing" not in listed.stdout and "invalid" not in listed.stdout
        # The killed version can then be released normally, from whatever was left behind.
        finished = run_cli("release", "tarball", "--version", version, "--builds", "1")
        assert finished.exit_code == 0, (step, finished.stderr)
        admitted = run_cli(
            "admit", f"oci-layout:.verifier/store:v{version}", "--policy", ".verifier/policy.yaml"
        )
        assert admitted.exit_code == 0, (step, admitted.stderr)
