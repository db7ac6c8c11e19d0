"""A fixed admission scenario for CLI and golden-file tests.

Ed25519 signatures are deterministic and the keys come from fixed seeds, so bundles,
evidence digests, policy digests and therefore every report are the same bytes each run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner

from tests.conftest import REPO
from verifier.attest.statement import Statement, subjects_of
from verifier.cli import app
from verifier.sign.artifact import Artifact
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey

GOLDEN = REPO / "tests" / "admission" / "golden"
DATA = REPO / "tests" / "admission" / "data"
RELEASE = PrivateKey(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
OTHER = PrivateKey(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33))))
#: 2026-11-10T00:00:00Z
EPOCH = "1794268800"

POLICIES = {
    "gate.yaml": """\
apiVersion: verifier/v1
kind: Policy
metadata: {name: gate}
spec:
  authorities:
    - {name: release, key: {file: release.pub}}
  require:
    signatures: {authorities: [release]}
""",
    "advice.yaml": """\
apiVersion: verifier/v1
kind: Policy
metadata: {name: advice}
spec:
  mode: warn
  authorities:
    - {name: release, key: {file: release.pub}}
  require:
    sbom: {authorities: [release], requireHashes: true}
""",
}


def check_golden(name: str, actual: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("VERIFIER_REGEN_GOLDEN"):
        golden.write_text(actual)
    assert actual == golden.read_text(), f"{golden} differs (VERIFIER_REGEN_GOLDEN=1 rewrites it)"


@dataclass(frozen=True)
class Scenario:
    """Three artifacts: one signed, one unsigned, one with a malformed bundle."""

    root: Path

    def admit(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        cwd = Path.cwd()
        os.chdir(self.root)
        try:
            result = CliRunner().invoke(
                app, ["admit", *args], input=stdin, env={"SOURCE_DATE_EPOCH": EPOCH}
            )
        finally:
            os.chdir(cwd)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr


def build_scenario(root: Path) -> Scenario:
    policies = root / "policies"
    policies.mkdir()
    for name, text in POLICIES.items():
        (policies / name).write_text(text)
    (policies / "release.pub").write_bytes(RELEASE.public_key.pem)
    evidence = root / "evidence"
    evidence.mkdir()
    for name in ("app.tar.gz", "lib.tar.gz", "broken.tar.gz"):
        (root / name).write_bytes(f"{name} contents\n".encode())
    app_artifact = Artifact.from_path(root / "app.tar.gz")
    signer = KeySigner(RELEASE)
    (evidence / "app.tar.gz.sigstore.json").write_bytes(
        signer.sign_artifact(app_artifact).to_json()
    )
    sbom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [{"name": "left-pad", "purl": "pkg:npm/left-pad@1.3.0"}],
    }
    statement = Statement(
        subjects_of([("app.tar.gz", app_artifact.digest)]), "https://cyclonedx.org/bom", sbom
    ).to_json()
    (evidence / "app.tar.gz.sbom.sigstore.json").write_bytes(
        signer.sign_statement(statement).to_json()
    )
    other = Artifact.from_path(root / "lib.tar.gz")
    (evidence / "lib.tar.gz.sigstore.json").write_bytes(
        KeySigner(OTHER).sign_artifact(other).to_json()
    )
    (evidence / "broken.tar.gz.sigstore.json").write_text(json.dumps({"mediaType": "nope"}))
    return Scenario(root)


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path)
