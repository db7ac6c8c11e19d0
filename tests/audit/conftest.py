"""A real store for the audit: our own ``verifier release`` on the fixture projects.

One store, built once per module (about 10 s): ``tarball`` released as v1.0.0 and ``purepy``
as v1.1.0 under the strict policy, ``unrepro-random`` as v1.2.0 under a warn-mode copy of it
(so a MISMATCH is published and the strict policy denies it at audit time), and a file pushed
without any evidence (unsigned). Signing uses the golden Ed25519 key of tests/golden, so the
key fingerprint in the reports is stable.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO
from tests.rebuild.conftest import require_bwrap, run_cli

KEY = REPO / "tests" / "golden" / "sign-ed25519.key"
PUB = REPO / "tests" / "golden" / "sign-ed25519.pub"
STORE = "oci-layout:.verifier/store"

POLICY = """\
apiVersion: verifier/v1
kind: Policy
metadata:
  name: audit-{mode}
spec:
  mode: {mode}
  match:
    names: ["*"]
  authorities:
    - name: release
      key: {{file: release.pub}}
  require:
    signatures:
      authorities: [release]
    reproducible:
      authorities: [release]
      minBuilders: 1
      verdicts: [REPRODUCED]
    sbom:
      authorities: [release]
      minSpecVersion: "1.6"
      requireHashes: true
"""


def _release(project: str, version: str, policy: str) -> None:
    outcome = run_cli(
        "release", project, "--version", version, "--store", STORE,
        "--key", str(KEY), "--policy", policy,
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.stderr


@pytest.fixture(scope="module")
def audit_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The project directory (the working directory while in use) holding the store."""
    require_bwrap()
    root = tmp_path_factory.mktemp("audit")
    for name in ("tarball", "purepy", "unrepro-random"):
        shutil.copytree(FIXTURES / name, root / name)
    shutil.copy(PUB, root / "release.pub")
    (root / "strict.yaml").write_text(POLICY.format(mode="enforce"))
    (root / "warn.yaml").write_text(POLICY.format(mode="warn"))
    (root / "unsigned.bin").write_bytes(b"pushed without any evidence\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("VERIFIER_PASSWORD", "golden")
        mp.setenv("SOURCE_DATE_EPOCH", "1760000000")
        mp.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
        mp.delenv("CI", raising=False)
        _release("tarball", "1.0.0", "strict.yaml")
        _release("purepy", "1.1.0", "strict.yaml")
        _release("unrepro-random", "1.2.0", "warn.yaml")
        pushed = run_cli("push", "unsigned.bin", f"{STORE}:unsigned")
        assert pushed.exit_code == 0, pushed.stderr
        yield root
