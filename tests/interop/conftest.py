"""sigstore-js, the second Sigstore client, installed from this directory's package-lock.json.

`npm ci` runs once per checkout (a lock file serializes pytest-xdist workers); afterwards the
installed tree is reused as long as it matches the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest

from verifier.errors import VerifierError
from verifier.process import run

HERE = Path(__file__).resolve().parent
PACKAGE = "@sigstore/verify"


def _installed_version() -> str | None:
    manifest = HERE / "node_modules" / PACKAGE / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text())["version"])


def _locked_version() -> str:
    lock = json.loads((HERE / "package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{PACKAGE}"]["version"])


@pytest.fixture(scope="session")
def sigstore_js() -> Path:
    """The directory whose node_modules holds @sigstore/verify at the locked version."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} not found: install Node.js 20+ and npm for the sigstore-js interop tests"
            )
    with (HERE / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_version() != _locked_version():
            env = {**os.environ, "npm_config_update_notifier": "false"}
            try:
                run(
                    ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                    timeout=300,
                    cwd=HERE,
                    env=env,
                )
            except VerifierError as exc:
                pytest.fail(f"npm ci of {PACKAGE} failed: {exc}")
    return HERE
