"""Evidence for policy tests, made by our own tools: keys, signatures, attestations, rebuilds.

Nothing here is a fake: keys come from ``KeyAlgorithm.generate``, bundles from
``KeySigner`` (what `verifier sign`/`attest` call), rebuild verdicts from a real
`verifier rebuild` of ``fixtures/tarball`` in the bubblewrap sandbox.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, SHARED
from verifier.admission.gate import admit_target
from verifier.admission.targets import Target
from verifier.attest.statement import Statement, subjects_of
from verifier.cli import app
from verifier.digest import Digest
from verifier.policy.decision import Decision
from verifier.policy.loader import load_policies
from verifier.policy.sources.local_directory import LocalEvidenceDirectory
from verifier.sign.artifact import Artifact
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import KeyAlgorithm, PrivateKey

CONFORMANCE_DIR = SHARED / "conformance" / "sigstore" / "bundle-verify"
#: SOURCE_DATE_EPOCH of the rebuilds: 2026-11-01T00:00:00Z.
REBUILT_AT = 1793491200
NOW = datetime(2026, 11, 10, tzinfo=UTC)
SIGNERS = ("alice", "bob", "carol", "mallory", "rebuilders", "scanner")


@pytest.fixture(scope="session")
def keys() -> dict[str, PrivateKey]:
    return {name: KeyAlgorithm.ECDSA_P256.generate() for name in SIGNERS}


@dataclass
class Kit:
    """A scratch directory with public keys, artifacts and an evidence directory."""

    root: Path
    keys: dict[str, PrivateKey]
    evidence: Path = field(init=False)

    def __post_init__(self) -> None:
        self.evidence = self.root / "evidence"
        self.evidence.mkdir()
        for name, key in self.keys.items():
            (self.root / f"{name}.pub").write_bytes(key.public_key.pem)

    def artifact(self, name: str = "app.tar.gz", content: bytes = b"release artifact\n") -> Path:
        path = self.root / name
        path.write_bytes(content)
        return path

    def sign(self, signer: str, artifact: Path, out: str | None = None) -> Path:
        bundle = KeySigner(self.keys[signer]).sign_artifact(Artifact.from_path(artifact))
        dest = self.evidence / (out or f"{artifact.name}.{signer}.sigstore.json")
        dest.write_bytes(bundle.to_json())
        return dest

    def attest(
        self,
        signer: str,
        subject: tuple[str, Digest],
        predicate_type: str,
        predicate: dict[str, Any],
        out: str,
    ) -> Path:
        statement = Statement(subjects_of([subject]), predicate_type, predicate).to_json()
        bundle = KeySigner(self.keys[signer]).sign_statement(statement)
        dest = self.evidence / out
        dest.write_bytes(bundle.to_json())
        return dest

    def sign_statement(self, signer: str, statement: bytes, out: str) -> Path:
        bundle = KeySigner(self.keys[signer]).sign_statement(statement)
        dest = self.evidence / out
        dest.write_bytes(bundle.to_json())
        return dest

    def policy(self, text: str, name: str = "policy.yaml") -> Path:
        path = self.root / name
        path.write_text(text)
        return path

    def decide(
        self,
        policy: Path,
        artifact: Path,
        *,
        now: datetime = NOW,
        name: str | None = None,
        namespace: str | None = None,
    ) -> Decision:
        target = Target(name or artifact.name, Artifact.from_path(artifact), True, None, namespace)
        source = LocalEvidenceDirectory(self.evidence)
        return admit_target(target, load_policies(policy), source, now=now)


@pytest.fixture
def kit(tmp_path: Path, keys: dict[str, PrivateKey]) -> Kit:
    return Kit(tmp_path, keys)


def label(path: Path) -> str:
    """How messages name an artifact: its name and short digest."""
    return f"{path.name} ({Artifact.from_path(path).digest.short})"


@dataclass(frozen=True)
class Rebuilt:
    """The output of fixtures/tarball and the VSA of each builder's rebuild of it."""

    output: Path
    vsas: dict[str, bytes]
    provenance: dict[str, bytes]


def _rebuild(out: Path, builder: str) -> None:
    if shutil.which("bwrap") is None:
        pytest.fail("bwrap is missing: install the Debian package 'bubblewrap' (tools/bootstrap)")
    result = CliRunner().invoke(
        app,
        ["rebuild", str(FIXTURES / "tarball" / "repro.toml"), "--out", str(out), "--json"],
        env={"SOURCE_DATE_EPOCH": str(REBUILT_AT), "VERIFIER_BUILDER_ID": builder},
    )
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Rebuilt:
    """Two independent rebuilds (builder ids a and b) of the same recipe."""
    base = tmp_path_factory.mktemp("rebuilt")
    vsas = {}
    provenance = {}
    for builder in ("urn:builder:a", "urn:builder:b"):
        out = base / builder.rsplit(":", 1)[1]
        _rebuild(out, builder)
        vsas[builder] = (out / "rebuild.vsa.json").read_bytes()
        provenance[builder] = (out / "build-1" / "provenance.json").read_bytes()
    output = base / "a" / "build-1" / "outputs" / "out" / "payload.tar.gz"
    return Rebuilt(output, vsas, provenance)


def equivalent_vsa(vsa: bytes, stabilizers: list[str]) -> bytes:
    """The VSA with its output marked EQUIVALENT after ``stabilizers`` (``name@1``).

    The shape `verifier rebuild --stabilize` writes: ``{"name@version": [members]}``. The
    tarball fixture reproduces bit for bit, so its verdict is rewritten here (and re-signed by
    the test) to exercise the policy side; tests/policy/test_equivalent_rebuild.py uses a real
    EQUIVALENT rebuild.
    """
    doc = json.loads(vsa)
    for output in doc["predicate"]["rebuild"]["outputs"]:
        output["verdict"] = "EQUIVALENT"
        output["stabilizers"] = {f"{name}@1": ["payload/hello.txt"] for name in stabilizers}
    return Statement(
        subjects_of(
            [(s["name"], Digest.sha256_hex(s["digest"]["sha256"])) for s in doc["subject"]]
        ),
        doc["predicateType"],
        doc["predicate"],
    ).to_json()


@pytest.fixture
def conformance() -> Callable[[str], Path]:
    def case(name: str) -> Path:
        path = CONFORMANCE_DIR / name
        if not (path / "bundle.sigstore.json").is_file():
            pytest.skip(f"Sigstore conformance data absent: {path}")
        return path

    return case
